#!/usr/bin/env bash
# Side-by-side loader throughput: leukoscope's BatchLoader vs torchvision's DataLoader on the same
# real 450x450 C-NMC BMPs (repeated to 480 images), 224 output, batch 16, 2 workers (leukoscope's
# default; the reference gets one per core). The reference runs as a performance-minded user runs
# it, with tcmalloc preloaded, and once more with glibc's malloc for context. Each line is the
# median of 5 epochs after a warm-up epoch; REPEATS (default 3) alternates the tools.
#   bench/run_loader_bench.sh [DATA] [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-data/cnmc-mini/C-NMC_Leukemia}"
repeats="${2:-3}"
tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
for r in $(seq "$repeats"); do
  echo "# leukoscope (build/bench_loader), repetition $r"
  ./build/bench_loader "$data" 24 5
  echo "# PyTorch-Python reference (/usr/bin/python3, torchvision DataLoader, tcmalloc), repetition $r"
  LD_PRELOAD="$tcmalloc" /usr/bin/python3 bench/loader_reference.py "$data" 24 5
done
echo "# PyTorch-Python reference with glibc's malloc (context)"
/usr/bin/python3 bench/loader_reference.py "$data" 24 5
