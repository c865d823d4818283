#!/usr/bin/env bash
# Data-parallel training on one machine and across two "hosts": leukoscope's training steps per
# second with 1 process (all cores) against 2 ranks (cores / 2 threads each) over Gloo, on the
# real Aria set (../shared/data/aria-all, its reference split), simple CNN `paper` preset at
# 128 px, batch 32 per rank, one epoch capped at STEPS steps; alternated, REPEATS times, medians.
# Reports img/s (the job's: every rank's images) and the share of the training steps' time spent
# waiting in collectives (log.jsonl collective_s over the steps' seconds, validation excluded).
#
# Then the same 2 ranks in two network namespaces joined by a veth pair (10.77.0.1 <-> 10.77.0.2,
# Debian's iproute2, root): the real TCP path between two network stacks, nothing outside this
# machine. Skipped when `ip netns` is not allowed.
#
#   bench/distributed_scaling.sh [STEPS] [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/.."
steps="${1:-30}"
repeats="${2:-3}"
bin="$(realpath "${LEUKOSCOPE:-build/leukoscope}")"
split=../shared/data/aria-all/reference_split.csv
[ -f "$split" ] || { echo "skip: $split absent (../shared/data)"; exit 0; }
work="$(mktemp -d)"
cache="$work/cache"
cleanup() {
  ip netns del lk-host0 2>/dev/null || true
  ip netns del lk-host1 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cores=$(nproc)
base=(--split-file "$split" --model simple-cnn --preset paper --image-size 128 --batch 32 --epochs 1
      --cache "$cache" --quiet --workers 1)
common=("${base[@]}" --max-steps "$steps")
echo "# $(lscpu | sed -n 's/^Model name: *//p'), $cores cores; $("$bin" --version); $(date -u +%F)"

# The cache is filled once by a whole epoch, outside the measurements (later epochs of a real run
# find it full).
"$bin" train "${base[@]}" --out "$work/warm" >/dev/null

summary() {  # summary RUN LABEL SECONDS RANKS: one JSON line from the run's log
  python3 - "$1" "$2" "$3" "$4" "$steps" <<'PY'
import json, sys
run, label, wall, ranks, steps = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
e = json.loads(open(run + "/log.jsonl").readline())
train_s = steps * 32 * ranks / e["img_per_s"]
share = e.get("collective_s", 0) / train_s
print(json.dumps({"config": label, "img_per_s": round(e["img_per_s"], 2), "collective_share": round(share, 3),
                  "epoch_s": round(e["seconds"], 2), "wall_s": round(wall, 2)}))
PY
}
timed() {  # timed LABEL RANKS RUN COMMAND...
  local label="$1" ranks="$2" run="$3"; shift 3
  local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N)
  summary "$run" "$label" "$(echo "$t1 - $t0" | bc)" "$ranks" | tee -a "$work/results.jsonl"
}

netns_ready=0
if ip netns add lk-host0 2>/dev/null && ip netns add lk-host1; then
  ip link add lk-veth0 type veth peer name lk-veth1
  ip link set lk-veth0 netns lk-host0
  ip link set lk-veth1 netns lk-host1
  ip -n lk-host0 addr add 10.77.0.1/24 dev lk-veth0
  ip -n lk-host1 addr add 10.77.0.2/24 dev lk-veth1
  for n in 0 1; do ip -n lk-host$n link set lk-veth$n up; ip -n lk-host$n link set lo up; done
  netns_ready=1
fi

for rep in $(seq "$repeats"); do
  timed "1 process x $cores threads" 1 "$work/one-$rep" \
    "$bin" train "${common[@]}" --threads "$cores" --out "$work/one-$rep"
  timed "2 ranks x $((cores / 2)) threads, loopback" 2 "$work/two-$rep" \
    "$bin" launch --nproc 2 --master 127.0.0.1:29531 -- train "${common[@]}" --threads $((cores / 2)) --out "$work/two-$rep"
  if [ "$netns_ready" = 1 ]; then
    run="$work/hosts-$rep"
    for r in 1 0; do
      ip netns exec lk-host$r env RANK=$r WORLD_SIZE=2 LOCAL_RANK=0 LOCAL_WORLD_SIZE=1 MASTER_ADDR=10.77.0.1 \
        MASTER_PORT=29532 GLOO_SOCKET_IFNAME=lk-veth$r "$bin" train "${common[@]}" --threads $((cores / 2)) --out "$run" \
        >/dev/null 2>"$work/hosts-$rep-$r.err" &
    done
    t0=$(date +%s.%N); wait; t1=$(date +%s.%N)
    summary "$run" "2 ranks x $((cores / 2)) threads, two netns hosts over veth" "$(echo "$t1 - $t0" | bc)" 2 | tee -a "$work/results.jsonl"
  fi
done

python3 - "$work/results.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = {}
for r in rows: by.setdefault(r["config"], []).append(r)
base = None
print("\n| configuration | img/s (median) | collective share of the step | runs |")
print("|---|---|---|---|")
for cfg, rs in by.items():
    ips = statistics.median(r["img_per_s"] for r in rs)
    base = base or ips
    share = statistics.median(r["collective_share"] for r in rs)
    print(f"| {cfg} | {ips:.1f} ({ips / base:.2f}x) | {100 * share:.0f} % | {len(rs)} |")
PY
