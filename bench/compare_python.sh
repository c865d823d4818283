#!/usr/bin/env bash
# Training epochs side by side: `leukoscope train` against the strong PyTorch-Python reference
# (bench/train_epoch_reference.py: Debian's torch with tcmalloc preloaded, DataLoader workers =
# cores, channels_last, bf16 autocast where leukoscope's --amp auto picks it), alternated in one
# run, REPEATS times, on the real Aria set's reference split (train rows), batch 32, the same model
# designs, image sizes and augmentation family. Prints one JSON line per measurement, then the
# medians and the ratios.
#
#   bench/compare_python.sh [REPEATS] [CONFIGS]
#   CONFIGS: space-separated MODEL:PRESET:SIZE:STEPS (default below); STEPS caps each epoch
#   (--max-steps), so that ResNet50 at 224 px fits a 2-core machine; the timed epoch is the second.
#
# Measured per configuration and repetition:
#   leukoscope          `train` as a user runs it: preprocessing cache on and already filled (a
#                       second run over a dataset, or any epoch after the first);
#   leukoscope-nocache  `--cache none`: decode and resize every epoch, as the reference does;
#   pytorch             the strong reference;
# and once per configuration, for context, pytorch-glibc: the same script without tcmalloc.
# The step alone (where the time goes): leukoscope-step (`leukoscope bench`: the same model,
# AdamW, one synthetic batch, median step) and pytorch-step (the reference with --synthetic).
# Environment: LEUKOSCOPE (binary, default build/leukoscope), PYTHON (default Debian's /usr/bin/python3,
# torch 1.13), MEASURE ("epoch step" by default; one of them alone to run half), NOCACHE=0 to skip the
# uncached runs, WEAK=0 the glibc runs.
# A second stack in the same alternation: LEUKOSCOPE_2 (leukoscope built against another LibTorch,
# e.g. the one inside PyPI's torch wheel, scripts/build-cuda-variant.sh) and PYTHON_2 (a Python whose
# torch is that version); its tools are recorded as leukoscope@2, pytorch@2, leukoscope-step@2,
# pytorch-step@2, and its ratios are taken against pytorch@2 / pytorch-step@2 (leukoscope-nocache and
# pytorch-glibc run on the first stack only).
set -euo pipefail
cd "$(dirname "$0")/.."
repeats="${1:-3}"
configs="${2:-simple-cnn:paper:128:40 simple-cnn:paper:224:12 resnet50:paper:128:8 resnet50:paper:224:4 vit-hybrid:small:128:20}"
bin="$(realpath "${LEUKOSCOPE:-build/leukoscope}")"
python="${PYTHON:-/usr/bin/python3}"
tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
src_split=../shared/data/aria-all/reference_split.csv
[ -f "$src_split" ] || { echo "skip: $src_split absent (../shared/data)"; exit 0; }
[ -f "$tcmalloc" ] || { echo "error: $tcmalloc: missing (apt-get install libtcmalloc-minimal4)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The same train rows; validation cut to 32 images so the epochs, not validation, take the time
# (neither tool's epoch figure includes validation; this only shortens the runs).
split="$work/split.csv"
awk -F, -v root="$(realpath "$(dirname "$src_split")")" '
  NR == 1 { print; next }
  { $1 = root "/" $1 }
  $NF == "val" && ++val > 32 { next }
  { print }' OFS=, "$src_split" > "$split"
cache="$work/cache"
stacks=("")
if [ -n "${LEUKOSCOPE_2:-}" ]; then
  [ -n "${PYTHON_2:-}" ] || { echo "error: PYTHON_2: needed with LEUKOSCOPE_2" >&2; exit 1; }
  stacks+=("@2")
  echo "# second stack: $("$(realpath "$LEUKOSCOPE_2")" --version); python torch $("$PYTHON_2" -c 'import torch; print(torch.__version__)')"
fi
stack_bin() { if [ -z "$1" ]; then echo "$bin"; else realpath "$LEUKOSCOPE_2"; fi; }
stack_python() { if [ -z "$1" ]; then echo "$python"; else echo "$PYTHON_2"; fi; }
echo "# $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(grep -o -m1 -E 'avx512_bf16|amx_bf16' /proc/cpuinfo || echo 'no native bf16'); $("$bin" --version); python torch $("$python" -c 'import torch; print(torch.__version__)'); $(date -u +%F)"

median() { sort -g | awk '{a[NR]=$1} END {if (NR) print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
values() { grep "\"$1\", \"config\": \"$2\"" "$work/results.jsonl" | sed 's/.*"img_per_s": \([0-9.]*\).*/\1/' || true; }
second_epoch() { sed -n 2p "$1" | sed 's/.*"img_per_s": *\([0-9.e+-]*\).*/\1/'; }
record() {  # record TOOL CONFIG IMG_PER_S
  echo "{\"tool\": \"$1\", \"config\": \"$2\", \"img_per_s\": $3}" | tee -a "$work/results.jsonl"
}
leukoscope_epoch() {  # leukoscope_epoch BINARY MODEL PRESET SIZE STEPS CACHE OUT
  # --drop-path 0 --mixup 0: the reference has neither stochastic depth nor mixup, which the
  # hybrid's own recipe switches on (no-ops for the CNNs).
  local lk="$1"; shift
  "$lk" train --split-file "$split" --model "$1" --preset "$2" --image-size "$3" --max-steps "$4" --epochs 2 \
    --batch 32 --channels-last --amp auto --cache "$5" --quiet --out "$6" --drop-path 0 --mixup 0 > /dev/null
  python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readlines()[1])["img_per_s"])' "$6/log.jsonl"
}

for config in $configs; do
  IFS=: read -r model preset size steps <<< "$config"
  label="$model:$preset@$size"
  # Fill the preprocessing cache for this size once (the cheapest model, one whole epoch), and
  # learn which precision --amp auto picks here; the reference follows it.
  [ -d "$work/fill-$size" ] || "$bin" train --split-file "$split" --model simple-cnn --preset tiny --image-size "$size" \
    --epochs 1 --amp auto --cache "$cache" --quiet --out "$work/fill-$size" > /dev/null
  amp=$(sed -n 's/.*"amp": *"\([a-z0-9]*\)".*/\1/p' "$work/fill-$size/config.json" | head -1)
  bf16_flag=""
  [ "$amp" = "bf16" ] && bf16_flag="--bf16"
  for r in $(seq "$repeats"); do
    order=("${stacks[@]}")
    # Even repetitions run the stacks the other way round: a machine that drifts favours neither.
    [ $((r % 2)) -eq 0 ] && [ ${#stacks[@]} -eq 2 ] && order=("${stacks[1]}" "${stacks[0]}")
    for stack in "${order[@]}"; do
      lk=$(stack_bin "$stack")
      py=$(stack_python "$stack")
      if [[ " ${MEASURE:-epoch step} " == *" step "* ]]; then
        v=$("$lk" bench --model "$model" --preset "$preset" --image-size "$size" --batch 32 --channels-last --amp "$amp" \
            --optimizer adamw --warmup 2 --steps "$steps" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["train_img_per_s"])')
        record "leukoscope-step$stack" "$label" "$v"
        LD_PRELOAD="$tcmalloc" "$py" bench/train_epoch_reference.py "$model" "$size" "$split" "$steps" $bf16_flag \
          --synthetic > "$work/s.jsonl"
        record "pytorch-step$stack" "$label" "$(second_epoch "$work/s.jsonl")"
      fi
      [[ " ${MEASURE:-epoch step} " == *" epoch "* ]] || continue
      record "leukoscope$stack" "$label" "$(leukoscope_epoch "$lk" "$model" "$preset" "$size" "$steps" "$cache" "$work/l-$r")"
      if [ "${NOCACHE:-1}" = 1 ] && [ -z "$stack" ]; then
        record leukoscope-nocache "$label" "$(leukoscope_epoch "$lk" "$model" "$preset" "$size" "$steps" none "$work/n-$r")"
      fi
      LD_PRELOAD="$tcmalloc" "$py" bench/train_epoch_reference.py "$model" "$size" "$split" "$steps" $bf16_flag \
        > "$work/p.jsonl"
      record "pytorch$stack" "$label" "$(second_epoch "$work/p.jsonl")"
      rm -rf "$work/l-$r" "$work/n-$r"
    done
  done
  if [ "${WEAK:-1}" = 1 ] && [[ " ${MEASURE:-epoch step} " == *" epoch "* ]]; then
    "$python" bench/train_epoch_reference.py "$model" "$size" "$split" "$steps" $bf16_flag > "$work/w.jsonl"
    record pytorch-glibc "$label" "$(second_epoch "$work/w.jsonl")"
  fi
done

echo "# medians of img/s and ratios: epochs against the strong reference's epoch, steps against its step; amp: ${amp:-?}"
for config in $configs; do
  IFS=: read -r model preset size steps <<< "$config"
  label="$model:$preset@$size"
  line="$label"
  for tool in leukoscope leukoscope-nocache pytorch pytorch-glibc leukoscope-step pytorch-step \
              leukoscope@2 pytorch@2 leukoscope-step@2 pytorch-step@2; do
    v=$(values "$tool" "$label" | median)
    [ -n "$v" ] || continue
    stack=""
    [[ "$tool" == *@2 ]] && stack="@2"
    case "$tool" in *-step*) p=$(values "pytorch-step$stack" "$label" | median) ;; *) p=$(values "pytorch$stack" "$label" | median) ;; esac
    line="$line  $tool $v ($(echo "$v / $p" | bc -l | xargs printf '%.2f')x)"
  done
  echo "$line"
done
