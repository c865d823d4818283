#!/usr/bin/env bash
# README command (1): install dependencies, build, and run the main job on the bundled data.
# Until the `study` verb exists this runs the most complete pipeline there is: scan, verify and
# split the bundled data with leakage audits, then train the `small` preset of all three models on
# the bundled Aria subset and evaluate each (CIs, calibration, robustness sweep, McNemar).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
out="${1:-study-out}"
epochs="${EPOCHS:-20}"
mkdir -p "$out"
L=./build/leukoscope
echo "== data scan (bundled C-NMC miniature)"
$L data scan
echo "== data verify (against the manifest of the full Kaggle tree; a miniature is expected to fail)"
$L data verify || true
echo "== data split --by patient (C-NMC)"
$L data split --by patient --out "$out/cnmc-split.csv"
echo "== data split --by cluster (Aria subset)"
$L data split data/aria-mini --by cluster --out "$out/aria-split.csv"
echo "== models"
$L models
for model in simple-cnn resnet50 vit-hybrid; do
  echo "== train $model (small preset, bundled Aria subset, $epochs epochs)"
  rm -rf "$out/$model"
  $L train --model "$model" --preset small --data data/aria-mini --split "$out/aria-split.csv" \
    --epochs "$epochs" --out "$out/$model" --channels-last
  echo "== evaluate $model"
  against=()
  [ "$model" != simple-cnn ] && against=(--against "$out/simple-cnn")
  $L evaluate "$out/$model" --distortions "${against[@]}"
done
echo "== done: runs and eval.json files in $out/"
