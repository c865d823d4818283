#!/usr/bin/env bash
# README command (1): install dependencies, build, and run the main job on the bundled data.
# Until the `study` verb exists this runs the most complete pipeline there is: scan, verify and
# split the bundled C-NMC miniature and Aria subset (with leakage audits), and list the models.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
out="${1:-study-out}"
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
