#!/usr/bin/env bash
# `leukoscope predict` vs the PyTorch-Python script a competent user writes for the same job
# (bench/predict_reference.py: torchvision transforms, DataLoader with one worker per core, batch
# 64, channels_last, inference_mode, tcmalloc preloaded), side by side in one run on the same
# folder of real cells, for the simple CNN and ResNet50 `paper` presets at 224 px. Whole-job wall
# time of each command, measured the same way from outside (interpreter or binary start-up, model
# build and load, decode, resize, forward, files written), repeated;
# prints one JSON line per run and the medians and ratios at the end.
#
#   bench/predict_vs_python.sh [CELL_FOLDER] [IMAGES] [REPEATS]
#   MODELS="simple-cnn" bench/predict_vs_python.sh ...   # one model only
#   PYTHON=...        the reference's interpreter (default Debian's /usr/bin/python3, torch 1.13)
#   LEUKOSCOPE_2=... PYTHON_2=...   a second stack in the same alternation (leukoscope built against
#                     another LibTorch, e.g. PyPI's 2.x, and a Python with that torch): recorded as
#                     leukoscope@2 / pytorch@2, its ratio taken against pytorch@2
#
# leukoscope runs as a user would on new images: its preprocessing cache off (--cache none), the
# run calibrated beforehand (calibration is a once-per-run step), every trust score computed.
# Precision follows leukoscope's `--amp auto` (the run is trained with it; AMP=off forces fp32): fp32
# on CPUs without native bf16 (then the reference runs fp32 too), bf16 where the hardware has it
# (then the reference gets --bf16).
set -euo pipefail
cd "$(dirname "$0")/.."
src="${1:-../shared/data/cnmc-fold0/C-NMC_Leukemia/training_data/fold_0}"
n="${2:-512}"
repeats="${3:-3}"
bin="${LEUKOSCOPE:-build/leukoscope}"
python="${PYTHON:-/usr/bin/python3}"
stacks=("")
if [ -n "${LEUKOSCOPE_2:-}" ]; then
  [ -n "${PYTHON_2:-}" ] || { echo "error: PYTHON_2: needed with LEUKOSCOPE_2" >&2; exit 1; }
  stacks+=("@2")
  echo "# second stack: $("$LEUKOSCOPE_2" --version); python torch $("$PYTHON_2" -c 'import torch; print(torch.__version__)')" >&2
fi
tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/cells"
mapfile -t files < <(find "$src" -type f \( -iname '*.bmp' -o -iname '*.png' -o -iname '*.jpg' \) | sort)
for f in "${files[@]:0:$n}"; do ln -s "$(realpath "$f")" "$work/cells/$(basename "$f")"; done
count=$(ls "$work/cells" | wc -l)
echo "# $count cells from $src; $(nproc) cores; $(lscpu | sed -n 's/^Model name: *//p')" >&2

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }

for model in ${MODELS:-simple-cnn resnet50}; do
  run="$work/run-$model"
  # The weights do not change the arithmetic: one training step makes a complete run folder.
  "$bin" train --data data/cnmc-mini --model "$model" --preset paper --epochs 1 --max-steps 1 --amp "${AMP:-auto}" --cache none --quiet \
    --out "$run" > /dev/null
  "$bin" calibrate "$run" --cache none > /dev/null
  amp=$(sed -n 's/.*"amp": *"\([a-z0-9]*\)".*/\1/p' "$run/config.json" | head -1)
  bf16_flag=""
  [ "$amp" = "bf16" ] && bf16_flag="--bf16"
  for r in $(seq "$repeats"); do
    order=("${stacks[@]}")
    # Even repetitions run the stacks the other way round: a machine that drifts favours neither.
    [ $((r % 2)) -eq 0 ] && [ ${#stacks[@]} -eq 2 ] && order=("${stacks[1]}" "${stacks[0]}")
    for stack in "${order[@]}"; do
      lk="$bin"; py="$python"
      [ -z "$stack" ] || { lk="$LEUKOSCOPE_2"; py="$PYTHON_2"; }
      t0=$(date +%s.%N)
      "$lk" predict "$run" "$work/cells" --out "$work/out-l" --cache none --quiet > /dev/null
      t1=$(date +%s.%N)
      secs=$(echo "$t1 - $t0" | bc -l)
      echo "{\"tool\": \"leukoscope$stack\", \"model\": \"$model\", \"images\": $count, \"seconds\": $secs, \"img_per_s\": $(echo "$count / $secs" | bc -l | xargs printf '%.2f'), \"amp\": \"$amp\"}"
      rm -rf "$work/out-l"
      t0=$(date +%s.%N)
      LD_PRELOAD="$tcmalloc" "$py" bench/predict_reference.py "$model" "$work/cells" "$work/out-p.csv" $bf16_flag > /dev/null
      t1=$(date +%s.%N)
      secs=$(echo "$t1 - $t0" | bc -l)
      echo "{\"tool\": \"pytorch$stack\", \"model\": \"$model\", \"images\": $(($(wc -l < "$work/out-p.csv") - 1)), \"seconds\": $secs, \"img_per_s\": $(echo "$count / $secs" | bc -l | xargs printf '%.2f'), \"bf16\": \"${bf16_flag:-no}\"}"
    done
  done
done | tee "$work/results.jsonl"

echo "# medians (img/s) and ratio leukoscope / PyTorch"
for model in ${MODELS:-simple-cnn resnet50}; do
  for stack in "${stacks[@]}"; do
    l=$(grep "\"leukoscope$stack\", \"model\": \"$model\"" "$work/results.jsonl" | sed 's/.*"img_per_s": \([0-9.]*\).*/\1/' | median)
    p=$(grep "\"pytorch$stack\", \"model\": \"$model\"" "$work/results.jsonl" | sed 's/.*"img_per_s": \([0-9.]*\).*/\1/' | median)
    echo "$model leukoscope$stack $l pytorch$stack $p ratio $(echo "$l / $p" | bc -l | xargs printf '%.2f')"
  done
done
