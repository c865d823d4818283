#!/usr/bin/env bash
# Issue 15, item 6, in one device call: the paper presets trained end to end on the GPU with real
# images through the loader, beside the strong PyTorch script on the same images, and what holds
# ResNet50 @224 bf16 below its step-alone rate — the loader, the optimiser's launches, cuDNN's
# autotuning, the batch — with the GPU's idle share inside the training loop.
#
# Here, first:  bash scripts/device/prepare-carry.sh          (.devdeps.tar.xz + .gpu-data, < 64 MiB)
# There:        run(command="bash scripts/device/gpu-end-to-end.sh",
#                   carry=[".devdeps.tar.xz", ".gpu-data"], timeout_s=570)
# Results: $OUT/e2e.log (everything), $OUT/e2e.jsonl (one line per measurement), $OUT/build.log.
#
# Measured, each bf16 autocast + channels-last at 224 px:
#   step alone   `leukoscope bench --optimizer adamw` (and sgd, and --deterministic = no autotuning)
#                for ResNet50 at batch 64/128/256 and the other two paper models: the ceiling;
#   end to end   `leukoscope train` (16 loader threads, preprocessing cache) and
#                bench/train_epoch_reference.py --cuda (16 DataLoader workers, pinned memory,
#                cudnn.benchmark, fused AdamW, tcmalloc preloaded) on the same split, EPOCHS epochs;
#                the first epoch (cache fill, cuDNN autotuning, worker start) is left out of the
#                medians; bench/gpu_busy.py samples NVML every 20 ms, and the GPU's busy share is
#                taken inside each timed training loop only (leukoscope's validation and checkpoint
#                writes between epochs are outside it; the reference has neither).
# Dry run on a CPU machine (no NVML, busy share null): GPU_E2E_DEVICE=cpu GPU_CHECK_SKIP_BUILD=1
# GPU_CHECK_BUILD=build GPU_CHECK_TORCH_PREFIX=... GPU_E2E_CONFIGS="simple-cnn:tiny:16"
# GPU_E2E_BENCH="" GPU_E2E_EPOCHS=2 GPU_E2E_WORKERS=2 GPU_E2E_SIZE=64 PYTHON=/usr/bin/python3.
set -uo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
OUT="${OUT:-/tmp/gpu-e2e-out}"
mkdir -p "$OUT"
exec > >(tee -a "$OUT/e2e.log") 2>&1
DEV="${GPU_E2E_DEVICE:-cuda}"
EPOCHS="${GPU_E2E_EPOCHS:-6}"
WORKERS="${GPU_E2E_WORKERS:-16}"
SIZE="${GPU_E2E_SIZE:-224}"
CONFIGS="${GPU_E2E_CONFIGS:-resnet50:paper:256 resnet50:paper:64 simple-cnn:paper:256 vit-hybrid:paper:128}"
BENCH="${GPU_E2E_BENCH-resnet50:64 resnet50:128 resnet50:256}"
PYTHON="${PYTHON:-python3}"
SPLIT="$repo/.gpu-data/aria/split.csv"
RESULTS="$OUT/e2e.jsonl"
WORK=/tmp/leuko-e2e
T0=$(date +%s)
[ -f "$SPLIT" ] || { echo "error: $SPLIT: absent (run scripts/device/prepare-carry.sh here and carry .gpu-data)"; exit 1; }

echo "=== build (scripts/device/gpu-check.sh, build only)"
GPU_CHECK_BUILD_ONLY=1 GPU_CHECK_TARGETS=leukoscope OUT=/tmp/gpu-e2e-build bash scripts/device/gpu-check.sh > /dev/null 2>&1
cp /tmp/gpu-e2e-build/gpu-check.log "$OUT/build.log" 2>/dev/null
grep -E "^(---|torch |cuda )" "$OUT/build.log"
BUILD="${GPU_CHECK_BUILD:-/tmp/leuko-build-gpu}"
L="$(realpath "$BUILD/leukoscope" 2>/dev/null)"
[ -x "$L" ] || { echo "error: no leukoscope was built (build.log)"; exit 1; }
if [ -z "${GPU_CHECK_TORCH_PREFIX:-}" ]; then
  export LD_LIBRARY_PATH="$repo/.devdeps/lib:$("$PYTHON" -c 'import torch,os;print(os.path.dirname(torch.__file__))')/lib:${LD_LIBRARY_PATH:-}"
fi
TCMALLOC="$repo/.devdeps/lib/libtcmalloc_minimal.so.4"
[ -f "$TCMALLOC" ] || TCMALLOC=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null
echo "$("$L" --version); python torch $("$PYTHON" -c 'import torch; print(torch.__version__)'); $(nproc) cores; $(date -u +%F)"
N=$(awk -F, '$5 == "train"' "$SPLIT" | wc -l)
echo "data: $N training images of $SPLIT (real Aria JPEGs), $EPOCHS epochs, $WORKERS loader workers"
rm -rf "$WORK"; mkdir -p "$WORK"

record() { echo "$1" | tee -a "$RESULTS"; }

# ------------------------------------------------------------------ the step alone
step_alone() {  # MODEL BATCH OPTIMISER [--deterministic]
  if ! timeout 120 "$L" bench --device "$DEV" --model "$1" --preset paper --image-size "$SIZE" --batch "$2" \
       --amp bf16 --channels-last --optimizer "${@:3}" --steps 20 --warmup 5 --json > "$WORK/bench.json" 2> "$WORK/bench.err"; then
    tail -5 "$WORK/bench.err"; echo "FAIL bench $*"; return
  fi
  record "$("$PYTHON" - "$WORK/bench.json" "$*" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))[0]
model, batch, *variant = sys.argv[2].split()
print(json.dumps({"what": "step", "model": model, "batch": int(batch), "variant": " ".join(variant),
                  "forward_img_per_s": round(r["forward_img_per_s"], 1), "train_img_per_s": round(r["train_img_per_s"], 1)}))
PY
)"
}
for spec in $BENCH; do
  IFS=: read -r model batch <<< "$spec"
  step_alone "$model" "$batch" adamw
  step_alone "$model" "$batch" sgd                                       # the optimiser's share
  [ "$batch" = 256 ] && step_alone "$model" "$batch" adamw --deterministic   # cuDNN without autotuning
done
if [ -n "$BENCH" ]; then
  step_alone simple-cnn 256 adamw
  step_alone vit-hybrid 128 adamw
fi

# ------------------------------------------------------------------ end to end
summarise() {  # summarise TOOL MODEL PRESET BATCH CACHE BUSY.json EPOCHS.jsonl
  "$PYTHON" - "$@" "$N" <<'PY'
import json, statistics, sys
tool, model, preset, batch, cache, busy_path, epochs_path, n = sys.argv[1:9]
batch, n = int(batch), int(n)
busy = json.load(open(busy_path))
epochs = [json.loads(l) for l in open(epochs_path) if l.startswith("{")]
images = (n // batch) * batch if n > batch else n  # both drop the last partial batch
if tool == "leukoscope":
    # epoch e's loop starts when last.ckpt of epoch e-1 is written and lasts images / img_per_s
    starts, rates, waits = busy["mark_times"], [e["img_per_s"] for e in epochs], [e["loader_wait_s"] for e in epochs]
    windows = [(starts[i - 1], starts[i - 1] + images / rates[i]) for i in range(1, min(len(rates), len(starts) + 1))]
    wait_share = [waits[i] / (images / rates[i]) for i in range(1, len(rates))]
else:
    # the reference prints an epoch's line when its loop ends and starts the next at once
    ends, rates = busy["line_times"], [e["img_per_s"] for e in epochs]
    windows = [(ends[i - 1], ends[i]) for i in range(1, min(len(rates), len(ends)))]
    wait_share = []
timed = rates[1:]
inside = [b for t0, t1 in windows for t, b in busy["readings"] if t0 <= t <= t1 and b is not None]
print(json.dumps({"what": "epoch", "tool": tool, "model": model, "preset": preset, "batch": batch, "cache": cache,
                  "images_per_epoch": images, "epochs_timed": len(timed),
                  "img_per_s_median": round(statistics.median(timed), 1) if timed else None,
                  "img_per_s": [round(r, 1) for r in rates], "first_epoch_img_per_s": round(rates[0], 1) if rates else None,
                  "loader_wait_share": round(statistics.median(wait_share), 3) if wait_share else None,
                  "gpu_busy_pct_in_loop": round(sum(inside) / len(inside), 1) if inside else None,
                  "busy_readings": len(inside), "wall_s": busy["wall_s"], "rc": busy["rc"]}))
PY
}

leukoscope_e2e() {  # MODEL PRESET BATCH CACHE
  local run="$WORK/l-$1-$3-$4" extra=()
  [ "$1" = vit-hybrid ] && extra=(--mixup 0 --drop-path 0)   # as the reference: no mixing, no stochastic depth
  local cache_dir="$WORK/cache"; [ "$4" = none ] && cache_dir=none
  timeout 240 "$PYTHON" bench/gpu_busy.py "$run/log.jsonl" "$run/last.ckpt" "$WORK/busy.json" -- \
    "$L" train --split-file "$SPLIT" --model "$1" --preset "$2" --image-size "$SIZE" --batch "$3" --epochs "$EPOCHS" \
      --device "$DEV" --amp bf16 --channels-last --workers "$WORKERS" --cache "$cache_dir" --seed 7 --quiet \
      --out "$run" "${extra[@]}" > "$WORK/train.out" 2>&1 || { tail -5 "$WORK/train.out"; echo "FAIL leukoscope $*"; return; }
  record "$(summarise leukoscope "$1" "$2" "$3" "$4" "$WORK/busy.json" "$run/log.jsonl")"
}

reference_e2e() {  # MODEL PRESET BATCH
  local cuda=(); [ "$DEV" = cuda ] && cuda=(--cuda)
  local paper=(); [ "$2" = paper ] && paper=(--paper)
  local preload
  for preload in "$TCMALLOC" ""; do   # without tcmalloc only if the venv's Python refuses it (said in the line)
    timeout 240 env LD_PRELOAD="$preload" "$PYTHON" bench/gpu_busy.py "$WORK/ref.out" - "$WORK/busy.json" -- \
      "$PYTHON" bench/train_epoch_reference.py "$1" "$SIZE" "$SPLIT" 1000000 --bf16 "${cuda[@]}" "${paper[@]}" \
        --batch="$3" --epochs="$EPOCHS" > "$WORK/ref.out" 2> "$WORK/ref.err" && break
    tail -5 "$WORK/ref.err"; echo "FAIL reference $* (LD_PRELOAD=${preload:-none})"
    [ -n "$preload" ] || return
  done
  record "$(summarise "pytorch$([ -n "$preload" ] || echo -glibc)" "$1" "$2" "$3" none "$WORK/busy.json" "$WORK/ref.out")"
}

for spec in $CONFIGS; do
  IFS=: read -r model preset batch <<< "$spec"
  echo "=== [$(( $(date +%s) - T0 ))s] $model $preset batch $batch"
  leukoscope_e2e "$model" "$preset" "$batch" cache
  reference_e2e "$model" "$preset" "$batch"
  if [ "$spec" = "${CONFIGS%% *}" ]; then leukoscope_e2e "$model" "$preset" "$batch" none; fi
done

echo "=== [$(( $(date +%s) - T0 ))s] summary (median img/s of epochs 2..$EPOCHS; busy = NVML inside the loops)"
"$PYTHON" - "$RESULTS" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
for r in rows:
    if r["what"] == "step":
        print(f"step  {r['model']:<10} b{r['batch']:<4} {r['variant']:<22} train {r['train_img_per_s']:>9} img/s  forward {r['forward_img_per_s']:>9}")
for r in rows:
    if r["what"] == "epoch":
        ref = [p for p in rows if p["what"] == "epoch" and p["tool"].startswith("pytorch") and p["model"] == r["model"] and p["batch"] == r["batch"]]
        ratio = f"{r['img_per_s_median'] / ref[0]['img_per_s_median']:.2f}x" if ref and r["img_per_s_median"] and ref[0]["img_per_s_median"] and r["tool"] == "leukoscope" else ""
        print(f"epoch {r['tool']:<13} {r['model']:<10} b{r['batch']:<4} cache {r['cache']:<5} {r['img_per_s_median']!s:>9} img/s {ratio:>6}"
              f"  first {r['first_epoch_img_per_s']!s:>8}  loader wait {r['loader_wait_share']!s:>6}  GPU busy {r['gpu_busy_pct_in_loop']!s:>5} %")
PY
