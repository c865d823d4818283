#!/usr/bin/env bash
# ResNet50's train step as a fraction of this CPU's matrix-multiply peak (issue 15, item 3).
# Peak: the median GFLOP/s of a large square torch.mm (2·n³ FLOP per product) in fp32 and bf16,
# through PYTHON's torch (default Debian's /usr/bin/python3, torch 1.13 — the same LibTorch the
# default build links; give the Python of the LibTorch LEUKOSCOPE links) with tcmalloc preloaded
# and all cores. ResNet50 `paper` at 224 px: `leukoscope bench` train img/s (median of its timed
# steps) times 3 × 2 × 4.09e9 FLOP per image (forward multiply-accumulates × 2, backward ≈ twice
# the forward); on a CPU with native bf16 also the bf16 step against the bf16 peak. Writes a small
# table.
#
#   bench/flop_efficiency.sh [BATCH] [N]
set -euo pipefail
cd "$(dirname "$0")/.."
batch="${1:-16}"
n="${2:-2048}"
bin="${LEUKOSCOPE:-build/leukoscope}"
tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
cores=$(nproc)
echo "# $(lscpu | sed -n 's/^Model name: *//p'), $cores cores, flags: $(grep -o -w -E 'avx2|avx512f|avx512_bf16|amx_bf16' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "# leukoscope $("$bin" --version) ($bin); python torch $("${PYTHON:-/usr/bin/python3}" -c 'import torch; print(torch.__version__)')"
read -r fp32 bf16 < <(LD_PRELOAD="$tcmalloc" "${PYTHON:-/usr/bin/python3}" - "$n" "$cores" <<'PY'
import statistics, sys, time, torch
n, cores = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(cores)
out = []
for dtype in (torch.float32, torch.bfloat16):
    a, b = torch.randn(n, n).to(dtype), torch.randn(n, n).to(dtype)
    torch.mm(a, b)
    times = []
    for _ in range(5 if dtype == torch.float32 else 3):
        t = time.perf_counter(); torch.mm(a, b); times.append(time.perf_counter() - t)
    out.append(2 * n ** 3 / statistics.median(times) / 1e9)
print(f"{out[0]:.1f} {out[1]:.1f}")
PY
)
row() {  # row LABEL PEAK PEAK_NAME ARGS...: ResNet50 train img/s -> GFLOP/s and the share of PEAK
  local label="$1" peak="$2" peak_name="$3"; shift 3
  local ips; ips=$("$bin" bench --model resnet50 --preset paper --batch "$batch" --steps 5 --warmup 2 "$@" --json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["train_img_per_s"])')
  python3 -c "ips=$ips; g=ips*3*2*4.09; print(f'| ResNet50 paper train step, {\"$label\"} | {ips:.2f} img/s | {g:.1f} GFLOP/s | {100*g/$peak:.0f} % of the $peak_name mm peak |')"
}
echo
echo "| measurement | rate | FLOP/s | share |"
echo "|---|---|---|---|"
echo "| torch.mm ${n}×${n} fp32 (peak) | | $fp32 GFLOP/s | 100 % |"
echo "| torch.mm ${n}×${n} bf16 | | $bf16 GFLOP/s | $(python3 -c "print(f'{100*$bf16/$fp32:.0f}')") % of fp32 |"
row "fp32 NCHW, batch $batch" "$fp32" fp32
row "fp32 NHWC, batch $batch" "$fp32" fp32 --channels-last
if grep -q -w -E 'avx512_bf16|amx_bf16' /proc/cpuinfo; then
  row "bf16 NHWC, batch $batch" "$bf16" bf16 --channels-last --amp bf16
fi
