"""The plain PyTorch recipe a new user writes (the accuracy issue's yardstick): a 4-block simple CNN
(conv3x3-BN-ReLU-maxpool, 32-64-128-256, global average pool, dropout 0.5, linear), 128 px, batch 32,
AdamW 1e-3 with weight decay 0.05, cosine decay per step without warm-up, label smoothing 0.1,
flips + 90-degree turns + light colour jitter, no class weights, fp32. It trains on a split.csv
(path,label,...,split; paths relative to the file) so that it sees exactly the images leukoscope
sees, and prints one JSON line per epoch and a last line with test macro-F1, its 95 % bootstrap CI
over test images, and wall time. With PREDICTIONS.csv it also writes path,label,predicted per test
image, as `leukoscope evaluate` writes eval-predictions.csv (bench/summarise_predictions.py reads both).

    LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 \
        /usr/bin/python3 bench/plain_recipe.py SPLIT.csv [epochs] [PREDICTIONS.csv]
"""
import csv, json, math, os, random, sys, time
import torch
import torch.nn as nn
from PIL import Image
from torchvision import transforms

split_csv = sys.argv[1]
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 15
predictions_csv = sys.argv[3] if len(sys.argv) > 3 else None
torch.manual_seed(0)
random.seed(0)
torch.set_num_threads(os.cpu_count())
base = os.path.dirname(os.path.abspath(split_csv))
rows = list(csv.DictReader(open(split_csv)))
classes = sorted({r["label"] for r in rows})


def items(split):
    return [(r["path"] if os.path.isabs(r["path"]) else os.path.join(base, r["path"]), classes.index(r["label"]))
            for r in rows if r["split"] == split]


class QuarterTurn:
    def __call__(self, img):
        return img.rotate(90 * random.randrange(4))


norm = transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
resize = transforms.Resize((128, 128), interpolation=transforms.InterpolationMode.BICUBIC)
train_tf = transforms.Compose([resize, transforms.RandomHorizontalFlip(), transforms.RandomVerticalFlip(), QuarterTurn(),
                               transforms.ColorJitter(0.1, 0.1, 0.1), transforms.ToTensor(), norm])
eval_tf = transforms.Compose([resize, transforms.ToTensor(), norm])


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
                         nn.MaxPool2d(2))


model = nn.Sequential(block(3, 32), block(32, 64), block(64, 128), block(128, 256), nn.AdaptiveAvgPool2d(1),
                      nn.Flatten(), nn.Dropout(0.5), nn.Linear(256, len(classes)))
workers = os.cpu_count()
train_loader = torch.utils.data.DataLoader(Images(items("train"), train_tf), batch_size=32, shuffle=True,
                                           num_workers=workers, drop_last=True, persistent_workers=True)
val_loader = torch.utils.data.DataLoader(Images(items("val"), eval_tf), batch_size=64, num_workers=workers)
test_loader = torch.utils.data.DataLoader(Images(items("test"), eval_tf), batch_size=64, num_workers=workers)
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs * len(train_loader))
loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)


def predict(loader):
    model.eval()
    ys, ps = [], []
    with torch.no_grad():
        for x, y in loader:
            ys += y.tolist()
            ps += model(x).argmax(1).tolist()
    model.train()
    return ys, ps


def macro_f1(ys, ps):
    f1 = []
    for c in range(len(classes)):
        tp = sum(1 for y, p in zip(ys, ps) if y == c and p == c)
        fp = sum(1 for y, p in zip(ys, ps) if y != c and p == c)
        fn = sum(1 for y, p in zip(ys, ps) if y == c and p != c)
        f1.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return sum(f1) / len(f1)


t0 = time.perf_counter()
for epoch in range(epochs):
    total, n = 0.0, 0
    for x, y in train_loader:
        loss = loss_fn(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        total += loss.item() * len(y)
        n += len(y)
    print(json.dumps({"epoch": epoch + 1, "train_loss": round(total / n, 4),
                      "val_macro_f1": round(macro_f1(*predict(val_loader)), 4),
                      "seconds": round(time.perf_counter() - t0, 1)}), flush=True)
train_seconds = time.perf_counter() - t0
ys, ps = predict(test_loader)
if predictions_csv:
    with open(predictions_csv, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["path", "label", "predicted"])
        for (path, _), y, p in zip(items("test"), ys, ps):
            w.writerow([path, classes[y], classes[p]])
rng = random.Random(0)
boot = []
for _ in range(1000):
    idx = [rng.randrange(len(ys)) for _ in ys]
    boot.append(macro_f1([ys[i] for i in idx], [ps[i] for i in idx]))
boot.sort()
print(json.dumps({"test_macro_f1": round(macro_f1(ys, ps), 4), "ci95": [round(boot[25], 4), round(boot[974], 4)],
                  "errors": sum(1 for y, p in zip(ys, ps) if y != p), "test_images": len(ys),
                  "train_seconds": round(train_seconds, 1), "epochs": epochs}), flush=True)
