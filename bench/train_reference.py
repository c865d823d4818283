"""The PyTorch-Python reference for `leukoscope train`: the same simple-CNN design (conv3x3-BN-ReLU-
maxpool blocks 32-64-128, global average pool, dropout 0.5, linear) at 128 px, AdamW with warm-up
and cosine decay, flips / 90-degree turns / small rotation+scale / colour jitter, trained on the
split.csv that leukoscope wrote, so both see exactly the same images. Prints one JSON line per
epoch and a final line with test metrics and wall time.

    /usr/bin/python3 bench/train_reference.py RUN/split.csv [epochs] [lr]
"""
import csv, json, math, os, sys, time
import torch
import torch.nn as nn
from PIL import Image
from torchvision import transforms

split_csv = sys.argv[1]
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 15
lr = float(sys.argv[3]) if len(sys.argv) > 3 else 2e-3
torch.manual_seed(0)
torch.set_num_threads(os.cpu_count())
base = os.path.dirname(os.path.abspath(split_csv))
rows = list(csv.DictReader(open(split_csv)))
classes = sorted({r["label"] for r in rows})
def items(split):
    return [(r["path"] if os.path.isabs(r["path"]) else os.path.join(base, r["path"]), classes.index(r["label"]))
            for r in rows if r["split"] == split]

norm = transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
train_tf = transforms.Compose([
    transforms.Resize((128, 128), interpolation=transforms.InterpolationMode.BICUBIC),
    transforms.RandomHorizontalFlip(), transforms.RandomVerticalFlip(),
    transforms.RandomAffine(15, scale=(0.9, 1.1)), transforms.ColorJitter(0.2, 0.2, 0.2, 0.02),
    transforms.ToTensor(), norm])
eval_tf = transforms.Compose([transforms.Resize((128, 128), interpolation=transforms.InterpolationMode.BICUBIC),
                              transforms.ToTensor(), norm])

class Images(torch.utils.data.Dataset):
    def __init__(self, items, tf):
        self.items, self.tf = items, tf
    def __len__(self):
        return len(self.items)
    def __getitem__(self, i):
        p, y = self.items[i]
        return self.tf(Image.open(p).convert("RGB")), y

def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
                         nn.MaxPool2d(2, ceil_mode=True))

model = nn.Sequential(block(3, 32), block(32, 64), block(64, 128), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                      nn.Dropout(0.5), nn.Linear(128, len(classes)))
train_loader = torch.utils.data.DataLoader(Images(items("train"), train_tf), batch_size=32, shuffle=True,
                                           num_workers=2, drop_last=True, persistent_workers=True)
val_loader = torch.utils.data.DataLoader(Images(items("val"), eval_tf), batch_size=64, num_workers=2)
test_loader = torch.utils.data.DataLoader(Images(items("test"), eval_tf), batch_size=64, num_workers=2)
decay = [p for p in model.parameters() if p.dim() > 1]
no_decay = [p for p in model.parameters() if p.dim() <= 1]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0}], lr=lr)
steps = epochs * len(train_loader)
warmup = len(train_loader)
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / max(1, steps - warmup))))

def macro_f1(loader):
    model.eval()
    k = len(classes)
    cm = torch.zeros(k, k, dtype=torch.long)
    with torch.no_grad():
        for x, y in loader:
            p = model(x).argmax(1)
            for t, q in zip(y, p):
                cm[t, q] += 1
    f1 = []
    for c in range(k):
        tp = cm[c, c].item(); fp = cm[:, c].sum().item() - tp; fn = cm[c, :].sum().item() - tp
        f1.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    model.train()
    return sum(f1) / k, cm.diag().sum().item() / cm.sum().item()

t0 = time.perf_counter()
for epoch in range(epochs):
    te = time.perf_counter(); n = 0
    for x, y in train_loader:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward(); opt.step(); sched.step(); n += x.shape[0]
    f1, acc = macro_f1(val_loader)
    print(json.dumps({"epoch": epoch, "val_f1_macro": f1, "val_acc": acc, "img_per_s": n / (time.perf_counter() - te)}), flush=True)
f1, acc = macro_f1(test_loader)
print(json.dumps({"final": True, "test_f1_macro": f1, "test_acc": acc, "seconds": time.perf_counter() - t0}), flush=True)
