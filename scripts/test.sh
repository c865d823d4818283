#!/usr/bin/env bash
# README command (2): install dependencies, build, run every test. Prints CTest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/install-python-refs.sh   # timm + safetensors from PyPI for the checkpoint tests (skip without)
bash scripts/build.sh
cd build
ctest --output-on-failure -j1 --timeout 1200
