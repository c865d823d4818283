#!/usr/bin/env bash
# Throughput of every model x preset, channels_last and bf16 autocast on and off, as recorded in
# bench/RESULTS.md. Usage: bench/run_all.sh [path/to/leukoscope] > results.jsonl
# Big presets use smaller batches and fewer steps so the sweep fits in half an hour on 2 cores.
set -euo pipefail
bin=${1:-build/leukoscope}
run() {  # preset batch warmup steps model
  for layout in "" "--channels-last"; do
    for amp in off bf16; do
      load=$(cut -d' ' -f1 /proc/loadavg)
      "$bin" bench --model "$5" --preset "$1" --batch "$2" --warmup "$3" --steps "$4" $layout --amp "$amp" --json |
        sed "s/\"amp\"/\"load_before\": $load, \"amp\"/" | tr -d '\n ' | sed 's/^\[//; s/\]$//'
      echo
    done
  done
}
for model in simple-cnn resnet50 vit-hybrid; do
  run tiny 16 3 10 "$model"
  run small 16 3 10 "$model"
done
for model in simple-cnn resnet50 vit-hybrid; do run paper 8 2 3 "$model"; done
run paper-384 4 1 2 vit-hybrid
