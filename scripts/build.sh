#!/usr/bin/env bash
# Configures and builds leukoscope into build/ (Release, ccache when present, 2 jobs by default:
# a torch translation unit needs ~1 GB of RAM and the machines here have 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${LEUKO_JOBS:-$(nproc)}"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j"$jobs"
