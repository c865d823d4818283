"""Test macro-F1 of one run's predictions with two 95 % bootstrap CIs: over images, and over
patients (whole patients resampled within each class, as `leukoscope evaluate --patients` does, so
no resample lacks a class) when the split names them. Reads `leukoscope evaluate`'s eval-predictions.csv or bench/plain_recipe.py's predictions (the
columns path,label,predicted), so the two recipes are scored by one piece of code.

    python3 bench/summarise_predictions.py PREDICTIONS.csv SPLIT.csv
"""
import csv, os, random, sys

predictions_csv, split_csv = sys.argv[1], sys.argv[2]
base = os.path.dirname(os.path.abspath(split_csv))


def key(path):
    return os.path.normpath(path if os.path.isabs(path) else os.path.join(base, path))


patient = {key(r["path"]): r.get("patient", "") for r in csv.DictReader(open(split_csv))}
rows = [(r["label"], r["predicted"], patient.get(key(r["path"]), "")) for r in csv.DictReader(open(predictions_csv))]
classes = sorted({r[0] for r in rows})


def macro_f1(sample):
    f1 = []
    for c in classes:
        tp = sum(1 for y, p, _ in sample if y == c and p == c)
        fp = sum(1 for y, p, _ in sample if y != c and p == c)
        fn = sum(1 for y, p, _ in sample if y == c and p != c)
        f1.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return sum(f1) / len(f1)


def interval(draw, n=1000):
    rng = random.Random(0)
    values = sorted(macro_f1(draw(rng)) for _ in range(n))
    return f"[{values[int(0.025 * n)]:.3f}, {values[int(0.975 * n) - 1]:.3f}]"


by_patient = {}
for r in rows:
    by_patient.setdefault(r[2], []).append(r)
line = (f"{macro_f1(rows):.3f} images {interval(lambda g: [g.choice(rows) for _ in rows])}"
        f" errors {sum(1 for y, p, _ in rows if y != p)}/{len(rows)}")
if "" not in by_patient:
    strata = {}  # a patient's class: the label of most of its cells
    for pid, cells in sorted(by_patient.items()):
        labels = [y for y, _, _ in cells]
        strata.setdefault(max(set(labels), key=labels.count), []).append(pid)
    draw = lambda g: [r for ids in strata.values() for _ in ids for r in by_patient[g.choice(ids)]]
    line += f" patients({len(by_patient)}) {interval(draw)}"
print(line)
