#!/usr/bin/env bash
# CI's sanitizer + fuzz step (issue 12; commands and figures in RELIABILITY.md):
#   1. installs clang and libFuzzer (Debian 12: clang 14, whose libFuzzer and sanitizer runtimes
#      are in libclang-rt-14-dev), beside the project's own dependencies;
#   2. builds into build-fuzz/ (clang, -DLEUKO_SANITIZE=ON -DLEUKO_FUZZ=ON, cmake/Sanitizers.cmake)
#      the torch-free test executables with ASan+UBSan and the libFuzzer targets of fuzz/;
#   3. runs those tests (`ctest -L sanitize`: data, CSV/manifest/labels parsers, decoding, run
#      folders, metrics, reports, study aggregation);
#   4. runs each fuzz target for FUZZ_SECONDS (default 30) from its seed corpus in fuzz/corpus/.
# Any test failure, sanitizer report or fuzz finding fails the step; a finding's input is kept
# under build-fuzz/findings/ and its reproduction command printed.
# Usage: bash scripts/fuzz-ci.sh [--no-tests] [--no-fuzz]
# Environment: FUZZ_SECONDS (per target), FUZZ_RUNS (stop a target after this many executions,
# default: no limit), FUZZ_TARGETS (names, default every fuzz/fuzz_*.cpp), FUZZ_KEEP=1 (keep the
# corpus grown by earlier runs in build-fuzz/corpus/, default: start from the seeds), LEUKO_JOBS
# (build jobs, default nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
run_tests=1 run_fuzz=1
for arg in "$@"; do
  case "$arg" in
    --no-tests) run_tests=0 ;;
    --no-fuzz) run_fuzz=0 ;;
    *) echo "usage: $0 [--no-tests] [--no-fuzz]" >&2; exit 2 ;;
  esac
done
seconds="${FUZZ_SECONDS:-30}"
runs="${FUZZ_RUNS:--1}"
jobs="${LEUKO_JOBS:-$(nproc)}"

# 1. Packages.
bash scripts/install-deps.sh
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
if ! installed clang; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends clang
fi
clang_major="$(clang++ -dumpversion | cut -d. -f1)"
if ! installed "libclang-rt-${clang_major}-dev"; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "libclang-rt-${clang_major}-dev"
fi

# 2. Build. The sanitized test_run drives the normal build's binary (README command (2) made it).
if [ "$run_tests" = 1 ] && [ ! -x build/leukoscope ]; then bash scripts/build.sh; fi
cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
  -DLEUKO_SANITIZE=ON -DLEUKO_FUZZ=ON -DLEUKO_SANITIZE_BINARY="$PWD/build/leukoscope" >/dev/null
targets=()
[ "$run_tests" = 1 ] && targets+=(leuko_sanitized_tests)
[ "$run_fuzz" = 1 ] && targets+=(leuko_fuzzers)
[ ${#targets[@]} -gt 0 ] || exit 0
cmake --build build-fuzz -j"$jobs" --target "${targets[@]}"

status=0
# 3. Sanitized tests.
if [ "$run_tests" = 1 ]; then
  ctest --test-dir build-fuzz -L sanitize --output-on-failure -j1 || status=1
fi

# 4. Fuzzing: each target from its seeds; new inputs go to a scratch copy, never into fuzz/corpus.
if [ "$run_fuzz" = 1 ]; then
  mkdir -p build-fuzz/findings
  names="${FUZZ_TARGETS:-$(ls fuzz/fuzz_*.cpp | xargs -n1 basename | sed 's/\.cpp$//')}"
  for name in $names; do
    seeds="fuzz/corpus/$(echo "${name#fuzz_}" | tr _ -)"
    work="build-fuzz/corpus/$name"
    [ "${FUZZ_KEEP:-0}" = 1 ] || rm -rf "$work"
    mkdir -p "$work"
    rm -f build-fuzz/findings/"$name"-*
    dict=()
    case "$name" in
      fuzz_study_config | fuzz_run_config | fuzz_trust_record | fuzz_training_log) dict=(-dict=fuzz/json.dict) ;;
      fuzz_safetensors) dict=(-dict=fuzz/safetensors.dict) ;;
    esac
    echo "== $name: ${seconds} s from $seeds"
    # -close_fd_mask=2: OpenCV and the codec libraries print a line per corrupt image on stderr;
    # libFuzzer's and the sanitizers' reports (and fuzz_fail's) go to a copy of it and stay.
    if ! build-fuzz/"$name" -max_total_time="$seconds" -runs="$runs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -close_fd_mask=2 "${dict[@]}" -artifact_prefix="build-fuzz/findings/$name-" "$work" "$seeds" \
        2> "build-fuzz/findings/$name.log"; then
      status=1
      tail -n 60 "build-fuzz/findings/$name.log"
      if grep -q "libFuzzer: run interrupted" "build-fuzz/findings/$name.log"; then
        echo "INTERRUPTED: $name was stopped by a signal"
      else
        echo "FINDING in $name: reproduce with build-fuzz/$name $(ls -t build-fuzz/findings/"$name"-* 2>/dev/null | head -1)"
      fi
    else
      echo "$(grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' \
        "build-fuzz/findings/$name.log" | tr '\n' ' ')corpus $(ls "$work" | wc -l) files"
    fi
  done
fi
exit "$status"
