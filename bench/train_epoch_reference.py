"""The strong PyTorch-Python reference for a training epoch (bench/compare_python.sh): what a
performance-minded user writes for the job `leukoscope train` does with its defaults, measured the
way leukoscope's log measures an epoch.

The same model design (simple-cnn: conv3x3-BN-ReLU-maxpool blocks 32-64-128-256, global average
pool, dropout 0.5, linear; resnet50: torchvision's; vit-hybrid small: the torch.nn R50+ViT hybrid of
tests/models/reference_models.py at leukoscope's `small` sizes), the same split file (train rows),
image size, batch 32, augmentation family (leukoscope's default `light`: flips and quarter turns),
AdamW 1e-3 / weight decay 0.05 / label smoothing 0.1. Performance settings a user reaches for:
DataLoader workers = cores (persistent, pinned batches are pointless on a CPU), channels_last for
model and input, bf16 autocast with --bf16, tcmalloc preloaded by the caller.

Two epochs of STEPS steps each (leukoscope's --max-steps caps its epochs the same way); an epoch
is timed from the iterator's creation (its workers start producing) to the last optimiser step,
as leukoscope times its epochs (validation excluded). Prints one JSON line per epoch.

    LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 /usr/bin/python3 \
        bench/train_epoch_reference.py MODEL IMAGE_SIZE SPLIT.csv STEPS [--bf16] [--nchw] [--synthetic]
        [--cuda] [--batch=N] [--epochs=N] [--paper]

--synthetic: the step alone — one random batch reused, no DataLoader (as `leukoscope bench`).
--cuda (scripts/device/gpu-end-to-end.sh): what the same user writes for a GPU — pinned batches
copied asynchronously, cuDNN autotuning on, bf16 autocast on the GPU, AdamW's fused CUDA step, no
synchronisation inside the epoch (its end waits for the GPU before the clock stops).
--batch (default 32), --epochs (default 2; every epoch after the first is timed and printed too),
--paper: the hybrid at the paper's size, timm's vit_base_r50_s16_224 (untrained, nothing downloaded).
"""
import csv, json, os, random, sys, time

import torch
import torch.nn as nn
from PIL import Image
from torchvision import models, transforms

model_name, size, split_csv, steps = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
bf16 = "--bf16" in sys.argv
channels_last = "--nchw" not in sys.argv
synthetic = "--synthetic" in sys.argv
cuda = "--cuda" in sys.argv
paper = "--paper" in sys.argv


def flag(name, default):
    given = [a.split("=", 1)[1] for a in sys.argv if a.startswith(name + "=")]
    return int(given[-1]) if given else default


batch_size, epochs = flag("--batch", 32), flag("--epochs", 2)
device = torch.device("cuda" if cuda else "cpu")
torch.backends.cudnn.benchmark = cuda
torch.manual_seed(0)
random.seed(0)
cores = os.cpu_count()
torch.set_num_threads(cores)
base = os.path.dirname(os.path.abspath(split_csv))
rows = [r for r in csv.DictReader(open(split_csv))]
classes = sorted({r["label"] for r in rows})
train = [(r["path"] if os.path.isabs(r["path"]) else os.path.join(base, r["path"]), classes.index(r["label"]))
         for r in rows if r["split"] == "train"]


class QuarterTurn:
    def __call__(self, img):
        return img.rotate(90 * random.randrange(4))


tf = transforms.Compose([
    transforms.Resize((size, size), interpolation=transforms.InterpolationMode.BICUBIC),
    transforms.RandomHorizontalFlip(), transforms.RandomVerticalFlip(), QuarterTurn(),
    transforms.ToTensor(), transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])


class Images(torch.utils.data.Dataset):
    def __getitem__(self, i):
        path, label = train[i]
        return tf(Image.open(path).convert("RGB")), label

    def __len__(self):
        return len(train)


def simple_cnn(k):
    def block(cin, cout):
        return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout),
                             nn.ReLU(inplace=True), nn.MaxPool2d(2, ceil_mode=True))
    return nn.Sequential(block(3, 32), block(32, 64), block(64, 128), block(128, 256), nn.AdaptiveAvgPool2d(1),
                         nn.Flatten(), nn.Dropout(0.5), nn.Linear(256, k))


def vit_hybrid_small(k):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "models"))
    import reference_models
    from reference_models import VitHybrid  # timm's R50+ViT hybrid in torch.nn, checked against leukoscope's
    if bf16 and int(torch.__version__.split(".")[0]) < 2:
        # torch 1.13's CPU group_norm has no mixed-dtype kernel and its bf16 autocast leaves
        # group_norm alone ("expected scalar type BFloat16 but found Float"): normalise in the
        # weights' dtype and hand back the input's, as leukoscope's hybrid does (group_norm_fp).
        def group_norm_act(self, x):
            return self.act(nn.GroupNorm.forward(self, x.to(self.weight.dtype)).to(x.dtype))
        reference_models.GroupNormAct.forward = group_norm_act
    cfg = dict(layers=[1, 1, 1], channels=[128, 256, 512], stem_width=32, groups=0,  # the `small` preset: BN
               embed_dim=192, depth=4, heads=3, mlp_dim=768)
    return VitHybrid(cfg, k, size // 16)


def vit_hybrid_paper(k):
    import timm
    return timm.create_model("vit_base_r50_s16_224", pretrained=False, num_classes=k, img_size=size)


model = {"simple-cnn": simple_cnn, "resnet50": lambda k: models.resnet50(num_classes=k),
         "vit-hybrid": vit_hybrid_paper if paper else vit_hybrid_small}[model_name](len(classes))
memory_format = torch.channels_last if channels_last else torch.contiguous_format
model = model.to(device, memory_format=memory_format).train()
if synthetic:
    batch = (torch.randn(batch_size, 3, size, size), torch.randint(0, len(classes), (batch_size,)))
    loader = [batch] * steps
else:
    loader = torch.utils.data.DataLoader(Images(), batch_size=batch_size, shuffle=True, num_workers=cores,
                                         drop_last=True, persistent_workers=True, pin_memory=cuda)
decay = [p for p in model.parameters() if p.dim() > 1]
no_decay = [p for p in model.parameters() if p.dim() <= 1]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}], lr=1e-3,
                        **({"fused": True} if cuda else {}))
loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)

for epoch in range(epochs):
    start = time.perf_counter()
    images = 0
    for step, (x, y) in enumerate(loader):
        if step == steps:
            break
        x = x.to(device, memory_format=memory_format, non_blocking=True)
        y = y.to(device, non_blocking=True)
        opt.zero_grad(set_to_none=True)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            loss = loss_fn(model(x).float(), y)
        loss.backward()
        opt.step()
        images += x.shape[0]
    if cuda:
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    print(json.dumps({"epoch": epoch, "images": images, "seconds": round(seconds, 3),
                      "img_per_s": round(images / seconds, 2), "loss": round(loss.item(), 4)}), flush=True)
