"""The PyTorch-Python reference for `leukoscope predict`: what a competent user writes to classify a
folder of cells with a trained model — torchvision transforms (Resize to the model's input,
ToTensor, Normalize), a DataLoader with one worker per core, batch 64, channels_last,
torch.inference_mode, optional bf16 autocast — and a CSV of softmax probabilities. The models are
the same architectures as leukoscope's (torchvision resnet50; the study's simple CNN), with the
weights of a leukoscope run when given (their names match), so both do the same arithmetic.

    LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 \
      /usr/bin/python3 bench/predict_reference.py MODEL FOLDER OUT.csv [--bf16] [--weights best.safetensors]

Prints one JSON line: images, seconds (whole job, model build included), images per second.
"""
import argparse, csv, glob, json, os, time

start = time.perf_counter()
import torch
import torch.nn as nn
import torchvision
from PIL import Image
from torchvision import transforms


class SimpleCnn(nn.Module):
    """The study's baseline (leukoscope's simple-cnn paper preset): conv3x3-BN-ReLU-maxpool blocks
    32-64-128-256, global average pool, dropout, linear. Parameter names equal leukoscope's."""

    def __init__(self, channels=(32, 64, 128, 256), classes=2):
        super().__init__()
        blocks, cin = [], 3
        for c in channels:
            block = nn.Module()
            block.conv = nn.Conv2d(cin, c, 3, padding=1, bias=False)
            block.bn = nn.BatchNorm2d(c)
            blocks.append(block)
            cin = c
        self.blocks = nn.ModuleList(blocks)
        self.dropout = nn.Dropout(0.5)
        self.classifier = nn.Linear(cin, classes)

    def forward(self, x):
        for b in self.blocks:
            x = nn.functional.max_pool2d(torch.relu(b.bn(b.conv(x))), 2, ceil_mode=True)
        return self.classifier(self.dropout(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)))


class Files(torch.utils.data.Dataset):
    def __init__(self, paths, tf):
        self.paths, self.tf = paths, tf

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        with Image.open(self.paths[i]) as im:
            return self.tf(im.convert("RGB")), i


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", choices=["simple-cnn", "resnet50"])
    ap.add_argument("folder")
    ap.add_argument("out")
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--bf16", action="store_true")
    ap.add_argument("--weights", default="")
    a = ap.parse_args()
    torch.set_num_threads(os.cpu_count())
    exts = (".bmp", ".png", ".jpg", ".jpeg", ".tif", ".tiff")
    paths = sorted(p for p in glob.glob(os.path.join(a.folder, "**", "*"), recursive=True) if p.lower().endswith(exts))
    model = SimpleCnn() if a.model == "simple-cnn" else torchvision.models.resnet50(num_classes=2)
    if a.weights:
        from safetensors.torch import load_file
        model.load_state_dict(load_file(a.weights), strict=False)
    model = model.eval().to(memory_format=torch.channels_last)
    tf = transforms.Compose([transforms.Resize((a.size, a.size), interpolation=transforms.InterpolationMode.BICUBIC),
                             transforms.ToTensor(),
                             transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    loader = torch.utils.data.DataLoader(Files(paths, tf), batch_size=64, num_workers=os.cpu_count())
    rows = []
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.bf16):
        for x, idx in loader:
            p = model(x.to(memory_format=torch.channels_last)).float().softmax(1)
            rows += [(paths[i], *row) for i, row in zip(idx.tolist(), p.tolist())]
    with open(a.out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["path", "p0", "p1"])
        w.writerows(rows)
    seconds = time.perf_counter() - start
    print(json.dumps({"tool": "pytorch", "model": a.model, "images": len(rows), "seconds": round(seconds, 3),
                      "img_per_s": round(len(rows) / seconds, 2), "bf16": a.bf16}))


if __name__ == "__main__":
    main()
