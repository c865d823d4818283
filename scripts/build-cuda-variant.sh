#!/usr/bin/env bash
# Compiles and links the CUDA + NCCL variant of leukoscope against the LibTorch inside PyPI's
# `torch` wheel (2.x, CUDA-enabled) and the CUDA toolkit of the machine (nvcc, cuDNN, NCCL in
# /usr/local/cuda) — no GPU needed, nothing is run on one. CI calls it so the GPU and NCCL paths
# (ProcessGroupNCCL, cuda:LOCAL_RANK, pinned batches) build on every change, not only when a GPU
# machine is lent. The wheel (~540 MB) and its unpacked LibTorch are kept in
# $LEUKO_WHEEL_CACHE (default ~/.cache/leukoscope/torch-wheel) and reused.
#
#   bash scripts/build-cuda-variant.sh [TARGET...]     # default: leukoscope test_distributed test_models
#
# Skips (exit 0, with a line saying why) when the machine has no nvcc or PyPI is unreachable and
# nothing is cached. The wheel's libraries come first (CMAKE_LIBRARY_PATH): Debian's libtorch in
# /usr/lib would otherwise answer TorchConfig's find_library calls.
set -euo pipefail
cd "$(dirname "$0")/.."
cuda="${CUDA_HOME:-/usr/local/cuda}"
nvcc="$cuda/bin/nvcc"
cache="${LEUKO_WHEEL_CACHE:-$HOME/.cache/leukoscope/torch-wheel}"
build="${LEUKO_CUDA_BUILD:-build-cuda}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(leukoscope test_distributed test_models)
[ -x "$nvcc" ] || { echo "build-cuda-variant: skip: no CUDA toolkit at $cuda"; exit 0; }

mkdir -p "$cache"
if ! ls "$cache"/torch-*.whl >/dev/null 2>&1; then
  if ! python3 -m pip download --no-deps --only-binary=:all: -d "$cache" torch >"$cache/download.log" 2>&1; then
    tail -3 "$cache/download.log"; echo "build-cuda-variant: skip: cannot download the torch wheel"; exit 0
  fi
fi
wheel="$(ls "$cache"/torch-*.whl | sort -V | tail -1)"
prefix="$cache/$(basename "$wheel" .whl)"
if [ ! -f "$prefix/torch/share/cmake/Torch/TorchConfig.cmake" ]; then
  rm -rf "$prefix"; mkdir -p "$prefix"
  unzip -q -o "$wheel" 'torch/include/*' 'torch/lib/*' 'torch/share/*' -d "$prefix"
fi
echo "build-cuda-variant: $(basename "$wheel"), $("$nvcc" --version | tail -1)"

# The wheel's libtorch_cuda names libraries of PyPI's nvidia-* packages that a toolkit may lack
# (cuSPARSELt, NVSHMEM, cuFile): they are needed at run time on a GPU machine, not to link.
mkdir -p "$build"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix/torch/share/cmake" -DCMAKE_LIBRARY_PATH="$prefix/torch/lib" \
  -DCMAKE_CUDA_COMPILER="$nvcc" -DCUDAToolkit_ROOT="$cuda" -DCUDA_TOOLKIT_ROOT_DIR="$cuda" \
  -DCAFFE2_USE_CUDNN=ON -DCUDNN_LIBRARY_PATH="$(ls "$cuda"/lib*/libcudnn.so | head -1)" -DCUDNN_INCLUDE_PATH="$cuda/include" \
  -DLEUKO_SYSTEM_GLOO=OFF -DLEUKO_TEST_DISCOVERY=PRE_TEST -DCMAKE_POLICY_VERSION_MINIMUM=3.5 \
  -DCMAKE_EXE_LINKER_FLAGS="-Wl,--allow-shlib-undefined -Wl,-rpath-link,$cuda/lib64:$cuda/lib" \
  -DTORCH_CUDA_ARCH_LIST="${TORCH_CUDA_ARCH_LIST:-9.0}" >"$build/configure.log" 2>&1 \
  || { tail -30 "$build/configure.log"; echo "build-cuda-variant: configure failed ($build/configure.log)"; exit 1; }
grep -E "Found CUDA|Found Torch|cuDNN" "$build/configure.log" | head -5 || true
cmake --build "$build" -j"${LEUKO_JOBS:-$(nproc)}" --target "${targets[@]}"
# What was built is the CUDA variant: it links libtorch_cuda and has the NCCL process group in.
# (grep reads all of its input: with -q it would stop early and pipefail would see nm killed.)
readelf -d "$build/leukoscope" | grep "libtorch_cuda.so" >/dev/null || { echo "build-cuda-variant: leukoscope does not link libtorch_cuda"; exit 1; }
nm -C "$build/leukoscope" | grep "ProcessGroupNCCL" >/dev/null || { echo "build-cuda-variant: no ProcessGroupNCCL in leukoscope"; exit 1; }
echo "build-cuda-variant: ok (${targets[*]} in $build)"
