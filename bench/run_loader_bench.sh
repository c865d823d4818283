#!/usr/bin/env bash
# Side-by-side loader throughput: leukoscope's BatchLoader vs torchvision's DataLoader on the same
# real 450x450 C-NMC BMPs (repeated to 480 images), 224 output, batch 16, 2 workers.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-data/cnmc-mini/C-NMC_Leukemia}"
echo "# leukoscope (build/bench_loader)"
./build/bench_loader "$data" 24 5
echo "# PyTorch-Python reference (/usr/bin/python3, torchvision DataLoader)"
/usr/bin/python3 bench/loader_reference.py "$data" 24 5
