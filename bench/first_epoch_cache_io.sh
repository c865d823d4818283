#!/usr/bin/env bash
# Where the filling epoch's surplus goes (bench/first_epoch_cache.sh measures the surplus): one
# epoch into an empty cache on the disk, one into an empty cache on tmpfs (/dev/shm: the same
# entries, no block device behind them), one with `--cache none`; rotated, REPEATS times. Prints
# per run the epoch's seconds and the whole machine's CPU ticks (1/100 s) from /proc/stat over
# the run: system time includes the kernel's writeback threads, steal the hypervisor's.
#
#   bench/first_epoch_cache_io.sh [DATA] [REPEATS]     (default: C-NMC fold 0, 4)
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data/cnmc-fold0/C-NMC_Leukemia/training_data/fold_0}"
repeats="${2:-4}"
bin="${LEUKOSCOPE:-build/leukoscope}"
work="$(mktemp -d)" shm="$(mktemp -d -p /dev/shm)"
trap 'rm -rf "$work" "$shm"' EXIT
echo "# $data; $(nproc) cores; $(lscpu | sed -n 's/^Model name: *//p'); $work on $(df --output=fstype "$work" | tail -1)" >&2
modes=(disk tmpfs none)
for r in $(seq "$repeats"); do
  for k in 0 1 2; do
    mode="${modes[$(( (r + k) % 3 ))]}"
    rm -rf "$work/run" "$work/cache" "$shm/cache"
    case "$mode" in disk) cache="$work/cache" ;; tmpfs) cache="$shm/cache" ;; none) cache=none ;; esac
    sync
    read -r _ u0 n0 s0 i0 w0 q0 sq0 st0 _ < /proc/stat
    "$bin" train --data "$data" --model simple-cnn --preset paper --image-size 128 --epochs 1 \
      --cache "$cache" --quiet --out "$work/run" > /dev/null
    read -r _ u1 n1 s1 i1 w1 q1 sq1 st1 _ < /proc/stat
    /usr/bin/python3 -c "
import json
e = json.loads(open('$work/run/log.jsonl').readline())
print(json.dumps({'repeat': $r, 'cache': '$mode', 'seconds': round(e['seconds'], 2), 'loader_wait_s': round(e['loader_wait_s'], 2),
                  'user_ticks': $((u1 - u0)), 'system_ticks': $((s1 - s0 + q1 - q0 + sq1 - sq0)), 'iowait_ticks': $((w1 - w0)),
                  'steal_ticks': $((st1 - st0))}))"
  done
done | tee "$work/results.jsonl"
/usr/bin/python3 - "$work/results.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for mode in ('none', 'tmpfs', 'disk'):
    pick = [r for r in rows if r['cache'] == mode]
    print(f'# {mode:5s} median: ' + ', '.join(f'{k} {statistics.median(r[k] for r in pick):g}'
          for k in ('seconds', 'user_ticks', 'system_ticks', 'iowait_ticks', 'steal_ticks')))
PY
