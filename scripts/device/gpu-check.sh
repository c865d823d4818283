#!/usr/bin/env bash
# Builds leukoscope against the pip `torch` (a CUDA LibTorch) of a GPU machine and checks the
# `--device cuda` paths: the CUDA unit tests, `bench` for the three models (fp32, bf16 autocast,
# channels-last), `train` + `evaluate` of the small presets on the bundled Aria subset, a
# determinism and a resume check, then a subset of the CPU tests. Run from the repository root on
# the GPU machine, with the prefix of scripts/device/make-sysroot.sh in .devdeps or packed by
# scripts/device/prepare-carry.sh in .devdeps.tar.xz (OpenCV, JSON, CLI11, GoogleTest, OpenSSL,
# tcmalloc: that machine has none of them). GPU_CHECK_BUILD_ONLY=1 stops after the build.
#
#   bash scripts/device/gpu-check.sh            # log and results in $OUT (or /tmp/gpu-check-out)
#
# Each phase reports FAIL with its reason and the next one still runs where it can. Phases are
# skipped when the time budget (GPU_CHECK_BUDGET_S, default 420 s) is nearly spent.
# Dry runs on a CPU machine: GPU_CHECK_TORCH_PREFIX=DIR (LibTorch's CMake folder) skips python3,
# GPU_CHECK_SKIP_BUILD=1 uses the leukoscope already in GPU_CHECK_BUILD, GPU_CHECK_DEVICE=cpu,
# GPU_CHECK_BENCH_ARGS (default "--batch 64 --steps 10 --warmup 5"), GPU_CHECK_EPOCHS (default 5).
set -uo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
OUT="${OUT:-/tmp/gpu-check-out}"
mkdir -p "$OUT"
LOG="$OUT/gpu-check.log"
exec > >(tee -a "$LOG") 2>&1
TEE_PID=$!
BUDGET="${GPU_CHECK_BUDGET_S:-420}"
DEPS="$repo/.devdeps"
BUILD="${GPU_CHECK_BUILD:-/tmp/leuko-build-gpu}"
RUNS=/tmp/leuko-gpu-runs
JOBS="$(nproc)"
T0=$(date +%s.%N)
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }
left() { awk -v a="$T0" -v b="$(now)" -v t="$BUDGET" 'BEGIN{printf "%d", t-(b-a)}'; }
declare -a SUMMARY
phase() { PHASE="$1"; PT=$(now); echo; echo "=== [$(since "$T0")s] $1"; }
ok() { SUMMARY+=("ok    $PHASE ($(since "$PT")s) ${1:-}"); echo "--- ok: $PHASE ($(since "$PT")s) ${1:-}"; }
fail() { SUMMARY+=("FAIL  $PHASE ($(since "$PT")s): $1"); echo "--- FAIL: $PHASE: $1"; }
enough() {  # enough SECONDS: is there time for a phase needing about that long?
  if [ "$(left)" -lt "$1" ]; then SUMMARY+=("skip  $PHASE: $(left)s left, needs ~$1s"); echo "--- skip: $PHASE (time)"; return 1; fi
}
finish() {
  echo; echo "=== summary after $(since "$T0")s"; printf '%s\n' "${SUMMARY[@]}"
  tar -C "$RUNS" -czf "$OUT/runs.tgz" --exclude='*.ckpt' --exclude='*.safetensors' . 2>/dev/null || true
  exec >&- 2>&-; wait "$TEE_PID" 2>/dev/null   # let tee finish the log
  exit 0
}
trap finish EXIT

# ---------------------------------------------------------------- 0. the machine
phase "machine"
nvidia-smi -L || true
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader || true
echo "cores $JOBS; $(uname -r); $(ldd --version | head -1)"
g++ --version | head -1; cmake --version | head -1; ninja --version 2>/dev/null | sed 's/^/ninja /'
NVCC="$(command -v nvcc || ls /usr/local/cuda/bin/nvcc 2>/dev/null || true)"
[ -n "$NVCC" ] && "$NVCC" --version | tail -2
if [ -n "${GPU_CHECK_TORCH_PREFIX:-}" ]; then  # a dry run elsewhere: LibTorch's CMake folder given
  TORCH_PREFIX="$GPU_CHECK_TORCH_PREFIX"; SITE=/nonexistent
else
  read -r TORCH_VERSION TORCH_PREFIX SITE < <(python3 -c 'import torch,os;print(torch.__version__, torch.utils.cmake_prefix_path, os.path.dirname(os.path.dirname(torch.__file__)))')
  echo "torch $TORCH_VERSION; cmake prefix $TORCH_PREFIX; cuda $(python3 -c 'import torch;print(torch.version.cuda, torch.backends.cudnn.version(), torch.cuda.is_available())')"
fi
# scripts/device/prepare-carry.sh packs the prefix (11 MB instead of 42: the 64 MiB a call carries).
[ -d "$DEPS/lib" ] || [ ! -f "$repo/.devdeps.tar.xz" ] || tar -C "$repo" -xJf "$repo/.devdeps.tar.xz"
[ -d "$DEPS/lib" ] || { fail "$DEPS missing: run scripts/device/prepare-carry.sh here first and carry .devdeps.tar.xz"; exit 1; }
ok

# ---------------------------------------------------------------- 1. configure + build
phase "configure"
CUDA_ROOT=""
[ -n "$NVCC" ] && CUDA_ROOT="$(dirname "$(dirname "$(readlink -f "$NVCC")")")"
echo "CUDA root: ${CUDA_ROOT:-none}"
ls "$CUDA_ROOT"/lib64/libcudart.so* "$CUDA_ROOT"/lib/libcudart.so* 2>/dev/null | head -3
# torch's own cuDNN (the nvidia-cudnn wheel) first, the toolkit's only without it.
CUDNN_LIB="$(find "$SITE/nvidia" -name 'libcudnn.so*' 2>/dev/null | sort | head -1)"
CUDNN_H="$(find "$SITE/nvidia" -name cudnn_version.h 2>/dev/null | head -1)"
[ -n "$CUDNN_LIB" ] || CUDNN_LIB="$(find "$CUDA_ROOT" -name 'libcudnn.so*' 2>/dev/null | sort | head -1)"
[ -n "$CUDNN_H" ] || CUDNN_H="$(find "$CUDA_ROOT" -name cudnn_version.h 2>/dev/null | head -1)"
echo "cuDNN: ${CUDNN_LIB:-none} ${CUDNN_H:-}"
# pip's nvidia-* wheels hold only versioned libraries (libcudart.so.13): CMake's find_library needs
# the plain names, so a folder of links gives them when the toolkit folder lacks them.
SHIM="$BUILD-shim"
rm -rf "$SHIM"; mkdir -p "$SHIM"
if [ ! -e "$CUDA_ROOT/lib64/libcudart.so" ] && [ ! -e "$CUDA_ROOT/lib/libcudart.so" ]; then
  for f in $(find "$SITE/nvidia" "$CUDA_ROOT" -name 'lib*.so.*' 2>/dev/null); do
    b="$(basename "$f")"; ln -sf "$f" "$SHIM/${b%%.so.*}.so" 2>/dev/null
  done
  echo "linked $(ls "$SHIM" | wc -l) unversioned names in $SHIM"
fi
args=(-S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release
  -DCMAKE_PREFIX_PATH="$DEPS;$TORCH_PREFIX" -DOPENSSL_ROOT_DIR="$DEPS" -DCMAKE_LIBRARY_PATH="$SHIM"
  -DCMAKE_CXX_COMPILER_LAUNCHER= -DCMAKE_POLICY_VERSION_MINIMUM=3.5
  -DCMAKE_EXE_LINKER_FLAGS="-Wl,-rpath-link,$DEPS/lib"
  -DPython_EXECUTABLE="$(command -v python3)" -DPYTHON_EXECUTABLE="$(command -v python3)")
[ -n "$NVCC" ] && args+=(-DCMAKE_CUDA_COMPILER="$NVCC" -DCUDA_TOOLKIT_ROOT_DIR="$CUDA_ROOT" -DCUDAToolkit_ROOT="$CUDA_ROOT")
[ -n "$CUDNN_LIB" ] && [ -n "$CUDNN_H" ] && args+=(-DCAFFE2_USE_CUDNN=ON -DCUDNN_LIBRARY_PATH="$CUDNN_LIB" -DCUDNN_INCLUDE_PATH="$(dirname "$CUDNN_H")")
export TORCH_CUDA_ARCH_LIST="${TORCH_CUDA_ARCH_LIST:-9.0}"   # no GPU probe at configure time
export LD_LIBRARY_PATH="$DEPS/lib:$TORCH_PREFIX/../../lib:${LD_LIBRARY_PATH:-}"
if [ -n "${GPU_CHECK_SKIP_BUILD:-}" ]; then ok "(skipped)"
elif cmake "${args[@]}" > "$OUT/configure.log" 2>&1; then
  grep -E "Found Torch|Caffe2|CUDA|cuDNN|OpenSSL|GTest|nlohmann|CLI11|Warning" "$OUT/configure.log" | head -30
  grep -E "^(Torch|OpenCV|CLI11|GTest|nlohmann_json)_DIR|^TCMALLOC_LIBRARY|^CMAKE_CXX_COMPILER:" "$BUILD/CMakeCache.txt"; ok
else
  tail -40 "$OUT/configure.log"; fail "cmake configure (configure.log)"; exit 1
fi

DEV="${GPU_CHECK_DEVICE:-cuda}"
phase "build"
if [ -n "${GPU_CHECK_SKIP_BUILD:-}" ]; then echo "(skipped)"; else
read -r -a TARGETS <<< "${GPU_CHECK_TARGETS:-leukoscope test_models test_data}"
if cmake --build "$BUILD" -j"$JOBS" --target "${TARGETS[@]}" -- -k 0 > "$OUT/build.log" 2>&1; then
  grep -c "warning:" "$OUT/build.log" | sed 's/^/compiler warnings: /'; ok "${TARGETS[*]}"
else
  grep -E "error|undefined reference|FAILED" "$OUT/build.log" | head -30; tail -15 "$OUT/build.log"
  fail "build (build.log)"
  [ -x "$BUILD/leukoscope" ] || exit 1
fi
fi
L="$BUILD/leukoscope"
ldd "$L" | grep -E "torch_cuda|cudart|opencv_core|gdal|tcmalloc" | sed 's/ (0x.*//'
[ -n "${GPU_CHECK_BUILD_ONLY:-}" ] && exit 0   # scripts/device/gpu-end-to-end.sh measures with this build
export LEUKOSCOPE_CACHE=/tmp/leuko-cache
rm -rf "$RUNS"; mkdir -p "$RUNS"

# ---------------------------------------------------------------- 2. CUDA unit tests
phase "CUDA unit tests (test_models --gtest_filter=Cuda.*)"
if enough 40 && [ -x "$BUILD/tests/test_models" ]; then
  if timeout 180 "$BUILD/tests/test_models" --gtest_filter='Cuda.*' 2>&1 | tail -25; then ok; else fail "see above"; fi
fi

# ---------------------------------------------------------------- 2b. the whole study on the GPU
phase "study --config smoke --device $DEV (every step, report without gnuplot)"
if enough 60; then
  if timeout 150 "$L" study --config smoke --device "$DEV" --out "$RUNS/study" --quiet > "$RUNS/study.out" 2>&1; then
    grep -E "^\[study\] (train|evaluate|report)" "$RUNS/study.out" | tail -8
    ls "$RUNS/study" | tr '\n' ' '; echo; cp "$RUNS/study/results.json" "$OUT/study-results.json"; ok
  else tail -20 "$RUNS/study.out"; fail "study"; fi
fi
phase "weights tests (test_models --gtest_filter=Weights.*:Safetensors.*)"
if enough 30 && [ -x "$BUILD/tests/test_models" ]; then
  if timeout 120 "$BUILD/tests/test_models" --gtest_filter='Weights.*:Safetensors.*' 2>&1 | tail -6; then ok; else fail "see above"; fi
fi
[ -n "${GPU_CHECK_QUICK:-}" ] && exit 0   # the build fix and the study only

# ---------------------------------------------------------------- 3. bench
bench() {  # bench PRESET ARGS...: one line per model
  local preset=$1; shift
  timeout 150 "$L" bench --device "$DEV" --preset "$preset" ${GPU_CHECK_BENCH_ARGS:---batch 64 --steps 10 --warmup 5} "$@" --json > "$RUNS/bench.tmp" 2>"$RUNS/bench.err" || { cat "$RUNS/bench.err"; return 1; }
  python3 - "$RUNS/bench.tmp" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1])):
    print(f"bench {r['model']:<11} {r['preset']:<6} {r['image_size']:>4}px b{r['batch']} amp={r['amp']:<4} "
          f"{'nhwc' if r['channels_last'] else 'nchw'}  forward {r['forward_img_per_s']:9.1f} img/s  train {r['train_img_per_s']:8.1f} img/s")
PY
  cat "$RUNS/bench.tmp" >> "$RUNS/bench.json"
}
bench_preset() {
  for mode in "off" "bf16" "bf16 --channels-last"; do
    phase "bench --device $DEV --preset $1 --amp $mode"
    enough 30 || continue
    if bench "$1" --amp $mode; then ok; else fail "bench"; fi
  done
}
bench_preset small

# ---------------------------------------------------------------- 4. train + evaluate
EPOCHS="${GPU_CHECK_EPOCHS:-5}"
for model in simple-cnn resnet50 vit-hybrid; do
  phase "train $model small --device $DEV --amp bf16 --channels-last, $EPOCHS epochs"
  enough 45 || continue
  run="$RUNS/$model"
  t=$(now)
  if timeout 240 "$L" train --model "$model" --preset small --data data/aria-mini --epochs "$EPOCHS" --device "$DEV" \
       --amp bf16 --channels-last --workers 8 --seed 7 --quiet --out "$run"; then
    python3 -c "
import json,sys
for l in open('$run/log.jsonl'):
    j=json.loads(l); print(f\"  epoch {j['epoch']+1} loss {j['train_loss']:.4f} val_acc {j['val_acc']:.3f} val_f1 {j['val_f1_macro']:.3f} {j['img_per_s']:.0f} img/s {j['seconds']:.2f}s\")"
    ok "train $(since "$t")s"
    phase "evaluate $model --device $DEV"
    t=$(now)
    if timeout 120 "$L" evaluate "$run" --device "$DEV" > "$run/evaluate.out" 2>&1; then
      tail -12 "$run/evaluate.out"
      python3 -c "
import json; j=json.load(open('$run/eval.json'))
print('eval', '$model', {k: round(j[k],4) for k in ('accuracy','balanced_accuracy','f1_macro','auroc_macro') if k in j}, 'n', j.get('n'), 'ci95 f1', j['ci95'].get('f1_macro'), 'inference', round(j.get('seconds_inference',0),2),'s')"
      cp "$run/eval.json" "$OUT/eval-$model.json"; ok "evaluate $(since "$t")s"
    else tail -20 "$run/evaluate.out"; fail "evaluate"; fi
  else fail "train"; fi
done

bench_preset paper

# ---------------------------------------------------------------- 5. determinism + resume
phase "determinism: resnet50 small twice with --deterministic --device $DEV"
if enough 60; then
  for k in a b; do
    timeout 120 "$L" train --model resnet50 --preset small --data data/aria-mini --epochs 2 --max-steps 4 --device "$DEV" \
      --deterministic --workers 8 --seed 3 --quiet --out "$RUNS/det-$k" || fail "train det-$k"
  done
  if [ -f "$RUNS/det-a/log.jsonl" ] && [ -f "$RUNS/det-b/log.jsonl" ]; then
    python3 - "$RUNS/det-a" "$RUNS/det-b" <<'PY' && ok || fail "runs differ"
import json, sys, hashlib
a, b = sys.argv[1:3]
def losses(d): return [(j["train_loss"], j["val_loss"], j["val_acc"]) for j in map(json.loads, open(d + "/log.jsonl"))]
def h(d): return hashlib.sha256(open(d + "/best.safetensors", "rb").read()).hexdigest()[:16]
la, lb = losses(a), losses(b)
print("run a", la, h(a)); print("run b", lb, h(b))
sys.exit(0 if la == lb and h(a) == h(b) else 1)
PY
  fi
fi
phase "resume on $DEV: det-a continued to 3 epochs"
if enough 30 && [ -f "$RUNS/det-a/last.ckpt" ]; then
  if timeout 90 "$L" train --model resnet50 --preset small --data data/aria-mini --epochs 3 --max-steps 4 --device "$DEV" \
       --deterministic --workers 8 --seed 3 --quiet --out "$RUNS/det-a" --resume; then
    tail -1 "$RUNS/det-a/log.jsonl"; ok; else fail "resume"; fi
fi

# ---------------------------------------------------------------- 6. CPU tests (what is left of the time)
phase "CPU tests: ctest (test_models, test_data)"
if enough 60; then
  budget=$(( $(left) - 15 ))
  if timeout "$budget" ctest --test-dir "$BUILD" -j"$JOBS" --timeout 120 -E "Reference|NOT_BUILT" > "$OUT/ctest.log" 2>&1; then
    tail -4 "$OUT/ctest.log"; ok
  else grep -E "Failed|Not Run|\*\*\*|tests passed" "$OUT/ctest.log" | tail -25; fail "ctest (ctest.log; exit or timeout after ${budget}s)"; fi
fi
