#!/usr/bin/env bash
# The first epoch on a new dataset fills the preprocessing cache; it should cost no more than an
# epoch without the cache. Alternates, REPEATS times: a run of 2 epochs into an empty cache (epoch
# 0 fills it, epoch 1 reads it) and a run of 2 epochs with `--cache none`, so the two runs differ
# in the cache alone (the same schedule, the same first-epoch warm-up); prints each epoch's
# seconds from log.jsonl, then the medians: filling against the uncached first epoch, cached
# against the uncached second.
#
#   bench/first_epoch_cache.sh [DATA] [REPEATS]     (default: C-NMC fold 0, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data/cnmc-fold0/C-NMC_Leukemia/training_data/fold_0}"
repeats="${2:-3}"
bin="${LEUKOSCOPE:-build/leukoscope}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "# $data; $(nproc) cores; $(lscpu | sed -n 's/^Model name: *//p')" >&2
for r in $(seq "$repeats"); do
  modes="fill none"; [ $((r % 2)) = 0 ] && modes="none fill"  # alternate which runs first
  for mode in $modes; do
    rm -rf "$work/run" "$work/cache"
    cache="$work/cache" epochs=2
    [ "$mode" = none ] && cache=none
    "$bin" train --data "$data" --model simple-cnn --preset paper --image-size 128 --epochs "$epochs" \
      --cache "$cache" --quiet --out "$work/run" > /dev/null
    [ "$mode" = fill ] && echo "# repeat $r: cache $(du -sb "$work/cache" | cut -f1) bytes in $(find "$work/cache" -type f | wc -l) files" >&2
    /usr/bin/python3 -c "
import json, sys
for line in open('$work/run/log.jsonl'):
    e = json.loads(line)
    kind = {('fill', 0): 'filling', ('fill', 1): 'cached', ('none', 0): 'uncached', ('none', 1): 'uncached-2nd'}[('$mode', e['epoch'])]
    print(json.dumps({'repeat': $r, 'epoch': kind, 'seconds': round(e['seconds'], 2), 'img_per_s': round(e['img_per_s'], 2),
                      'loader_wait_s': round(e.get('loader_wait_s', 0), 2)}))"
  done
done | tee "$work/results.jsonl"
/usr/bin/python3 - "$work/results.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
med = {k: statistics.median(r['seconds'] for r in rows if r['epoch'] == k)
       for k in ('uncached', 'filling', 'uncached-2nd', 'cached')}
print('# median seconds: ' + ', '.join(f'{k} {v:.1f}' for k, v in med.items()) +
      f'; filling / uncached = {med["filling"] / med["uncached"]:.3f}'
      f'; cached / uncached-2nd = {med["cached"] / med["uncached-2nd"]:.3f}')
PY
