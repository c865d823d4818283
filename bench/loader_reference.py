"""The PyTorch-Python reference for bench_loader: torchvision transforms + DataLoader over the same
real C-NMC BMPs, 450x450 -> 224, batch 16, one worker per core. Run with /usr/bin/python3 (Debian's
python3-torch / python3-torchvision). Prints one JSON line per configuration, median img/s."""
import json, os, sys, time, statistics
import torch
from PIL import Image
from torchvision import transforms

root = sys.argv[1]
repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 16
epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
paths = []
for dirpath, _, files in sorted(os.walk(os.path.join(root, "training_data"))):
    for f in sorted(files):
        if f.endswith(".bmp"):
            paths.append((os.path.join(dirpath, f), 0 if f.endswith("_all.bmp") else 1))
paths = paths * repeat
norm = transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
plain = transforms.Compose([transforms.Resize((224, 224), interpolation=transforms.InterpolationMode.BICUBIC),
                            transforms.ToTensor(), norm])
augmented = transforms.Compose([
    transforms.Resize((224, 224), interpolation=transforms.InterpolationMode.BICUBIC),
    transforms.RandomHorizontalFlip(), transforms.RandomVerticalFlip(),
    transforms.RandomAffine(15, scale=(0.9, 1.1)),
    transforms.ColorJitter(0.2, 0.2, 0.2, 0.02), transforms.ToTensor(), norm])


class Cells(torch.utils.data.Dataset):
    def __init__(self, tf):
        self.tf = tf
    def __len__(self):
        return len(paths)
    def __getitem__(self, i):
        p, y = paths[i]
        return self.tf(Image.open(p).convert("RGB")), y


torch.set_num_threads(1)
for name, tf in [("decode+resize", plain), ("decode+resize+augment", augmented)]:
    loader = torch.utils.data.DataLoader(Cells(tf), batch_size=16, shuffle=True, num_workers=os.cpu_count(),
                                         persistent_workers=True)
    rates = []
    for e in range(epochs + 1):
        t0 = time.perf_counter()
        n = sum(x.shape[0] for x, _ in loader)
        if e > 0:
            rates.append(n / (time.perf_counter() - t0))
    print(json.dumps({"config": name, "images": len(paths), "workers": 2,
                      "img_per_s_median": statistics.median(rates)}), flush=True)
