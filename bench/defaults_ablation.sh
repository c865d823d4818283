#!/usr/bin/env bash
# Which of leukoscope's training defaults cost accuracy against the plain PyTorch recipe
# (bench/plain_recipe.py), on two real sets that nobody tuned them to: Aria (4 subtypes, the fixed
# reference split) and C-NMC fold 0 (ALL vs HEM, split by patient). Each step changes one setting
# on top of the one before, from the defaults before 2026-11-30 to today's (the plain recipe's
# settings); both sets see the same images, epochs and seed in every row.
#
#   bench/defaults_ablation.sh [OUT] [EPOCHS]      # OUT default /tmp/leuko-ablation, EPOCHS 10
#   VARIANTS='old-defaults defaults' SETS=cnmc bench/defaults_ablation.sh   # a subset
#   VARIANTS='bf16 interp-lanczos no-warmup' bench/defaults_ablation.sh    # settings the steps keep
#   VARIANTS='ema mixup cutmix clip-min-lr' bench/defaults_ablation.sh      # timm's extras
#   VARIANTS='hybrid hybrid-lr3e-4 ...' bench/defaults_ablation.sh          # the ViT Hybrid's recipe
#
# Prints one line per run: set, variant, test macro-F1 with 95 % bootstrap CIs over images and over
# patients (C-NMC), errors, seconds (train command for leukoscope, training loop for Python).
# Runs only on an otherwise idle machine if the seconds are to mean anything.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/leuko-ablation}
epochs=${2:-10}
leuko=${LEUKO:-build/leukoscope}
shared=../shared/data
tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
mkdir -p "$out"

[ -f "$out/cnmc-split.csv" ] ||
  "$leuko" data split "$shared/cnmc-fold0/C-NMC_Leukemia" --by patient --split-file "$out/cnmc-split.csv" >/dev/null
declare -A split=([aria]="$shared/aria-all/reference_split.csv" [cnmc]="$out/cnmc-split.csv")

# variant name -> its flags, every one spelled out so a row means the same after a default
# changes; `defaults` is today's `leukoscope train` with no flags (the plain recipe's settings).
# VARIANTS (space-separated names) picks a subset.
declare -A flags=(
  [old-defaults]="--preset small --augment standard --class-weights auto --label-smoothing 0"
  [capacity]="--preset base --augment standard --class-weights auto --label-smoothing 0"
  [light-augment]="--preset base --augment light --class-weights auto --label-smoothing 0"
  [no-class-weights]="--preset base --augment light --class-weights none --label-smoothing 0"
  [defaults]=""
  # Settings the steps above leave alone, each changed alone on top of today's defaults (issue 14,
  # item 1): bf16 autocast (the studies' `amp auto` on a CPU that has it), the resize filter and no
  # warm-up (the plain script has none). Shrinking with `bicubic` (the default) or `linear` averages
  # over areas (data/preprocess.cpp), so `linear` trains the very same run wherever images are
  # larger than the model's input (C-NMC: identical predictions); `lanczos` is a filter that does
  # not average — what a bicubic resize without antialiasing does to a large image.
  [bf16]="--amp bf16"
  [interp-linear]="--interpolation linear"
  [interp-lanczos]="--interpolation lanczos"
  [no-warmup]="--warmup-epochs 0"
  # timm's extras, each alone on top of today's defaults (bench/RESULTS.md, "Training extras").
  [ema]="--ema-decay 0.999"
  [mixup]="--mixup 0.2"
  [cutmix]="--cutmix 1.0"
  [clip-min-lr]="--clip-grad 1.0 --min-lr 1e-5"
  # A second seed for the one extra ahead on both sets with seed 42 (2026-12-07).
  [defaults-seed7]="--seed 7"
  [clip-min-lr-seed7]="--clip-grad 1.0 --min-lr 1e-5 --seed 7"
  # A recipe for the small ViT Hybrid (issue 14, item 3), bf16 where the CPU has it (--amp auto):
  # the CNNs' learning rate, a third of it, then clipping, a longer warm-up, stochastic depth and
  # mixup on top of the lower rate. Every key of the hybrid's recipe spelled out: since 2026-12-06
  # `train` fills the ones a command line leaves out with the recipe (run/model_recipe.h), mixup
  # 0.2 among them since 2026-12-07.
  [hybrid]="--model vit-hybrid --preset small --amp auto --lr 1e-3 --warmup-epochs 1 --drop-path 0 --mixup 0"
  [hybrid-lr3e-4]="--model vit-hybrid --preset small --amp auto --lr 3e-4 --warmup-epochs 1 --drop-path 0 --mixup 0"
  [hybrid-clip]="--model vit-hybrid --preset small --amp auto --lr 1e-3 --warmup-epochs 1 --drop-path 0 --clip-grad 1.0 --mixup 0"
  [hybrid-lr3e-4-clip]="--model vit-hybrid --preset small --amp auto --lr 3e-4 --warmup-epochs 1 --drop-path 0 --clip-grad 1.0 --mixup 0"
  [hybrid-lr3e-4-warmup3-droppath]="--model vit-hybrid --preset small --amp auto --lr 3e-4 --warmup-epochs 3 --drop-path 0.1 --mixup 0"
  [hybrid-lr3e-4-mixup]="--model vit-hybrid --preset small --amp auto --lr 3e-4 --warmup-epochs 1 --drop-path 0 --mixup 0.2"
)
read -r -a variants <<<"${VARIANTS:-old-defaults capacity light-augment no-class-weights defaults}"
read -r -a sets <<<"${SETS:-cnmc aria}"

summary() {  # PREDICTIONS.csv SPLIT.csv -> "f1 images [lo, hi] errors E/N [patients(P) [lo, hi]]"
  python3 bench/summarise_predictions.py "$1" "$2"
}

for set in "${sets[@]}"; do
  for v in "${variants[@]}"; do
    run=$out/$set-$v
    if [ ! -f "$run/eval.json" ]; then
      rm -rf "$run"
      start=$(date +%s.%N)
      # shellcheck disable=SC2086
      "$leuko" train --split-file "${split[$set]}" --epochs "$epochs" --channels-last --quiet ${flags[$v]} \
        --out "$run" >"$run.log" 2>&1
      echo "$(date +%s.%N) - $start" | bc >"$run.seconds"
      "$leuko" evaluate "$run" --quiet >>"$run.log" 2>&1
    fi
    echo "$set $v $(summary "$run/eval-predictions.csv" "${split[$set]}") train+val ${epochs} epochs $(cat "$run.seconds") s"
  done
  if [ ! -f "$out/$set-plain.csv" ]; then
    LD_PRELOAD=$tcmalloc /usr/bin/python3 bench/plain_recipe.py "${split[$set]}" "$epochs" "$out/$set-plain.csv" \
      >"$out/$set-plain.log" 2>&1
  fi
  echo "$set plain-pytorch $(summary "$out/$set-plain.csv" "${split[$set]}") train+val ${epochs} epochs" \
    "$(python3 -c 'import json,sys; print(json.loads(sys.stdin.readlines()[-1])["train_seconds"])' <"$out/$set-plain.log") s"
done
