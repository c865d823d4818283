#!/usr/bin/env bash
# README command (1): install dependencies, build, and run the default study (configs/cpu-demo.json)
# on the bundled data: scan, split with a leakage audit, train the small presets of the simple CNN,
# ResNet50 and ViT Hybrid, evaluate each (CIs, robustness sweep), run the distortion-handling
# ablation, and write study-out/report.html, report.md and results.json.
# Arguments go to `leukoscope study` (e.g. --config aria --data DIR --out DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
exec ./build/leukoscope study "$@"
