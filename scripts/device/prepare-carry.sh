#!/usr/bin/env bash
# Prepares, here, what a GPU session carries to the device machine, inside its 64 MiB limit on
# everything that travels (the tracked tree, untracked files git does not ignore, carried paths):
#   .devdeps.tar.xz  the build dependencies of scripts/device/make-sysroot.sh, xz-compressed (42 MB
#                    of libraries and headers as a folder, 11 MB packed: the folder beside a 25 MB
#                    tree leaves no room for data); gpu-check.sh unpacks it there;
#   .gpu-data/aria   N real Aria images of the reference split's train rows (default 1,100, ~25 MB)
#                    and 32 each of its validation and test rows, with their split.csv: the real
#                    images that scripts/device/gpu-end-to-end.sh trains on through the loader.
# Then checks the total against the limit. Both paths are ignored by git (.gitignore).
#
#   bash scripts/device/prepare-carry.sh [N]
#   run(command="bash scripts/device/gpu-end-to-end.sh", carry=[".devdeps.tar.xz", ".gpu-data"])
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
N="${1:-1100}"
LIMIT=$((64 * 1024 * 1024))
src=../shared/data/aria-all
[ -f "$src/reference_split.csv" ] || { echo "error: $src/reference_split.csv: absent (../shared/data)" >&2; exit 1; }
[[ "$N" =~ ^[1-9][0-9]*$ ]] || { echo "error: N: a positive number of training images, not '$N'" >&2; exit 1; }

if [ ! -f .devdeps.tar.xz ]; then
  [ -d .devdeps/lib ] || bash scripts/device/make-sysroot.sh
  tar -cJf .devdeps.tar.xz.part .devdeps && mv .devdeps.tar.xz.part .devdeps.tar.xz
fi

rm -rf .gpu-data && mkdir -p .gpu-data/aria
# N train rows, 32 validation and 32 test rows, spread evenly over each split (the file lists the
# classes one after another: every class keeps its share).
awk -F, -v n="$N" '{ sub(/\r$/, "") } NR == FNR { if (FNR > 1) total[$5]++; next }
  FNR == 1 { print; next }
  { want = ($5 == "train" ? n : 32); k = ++seen[$5]; if (want > total[$5]) want = total[$5] }
  int(k * want / total[$5]) > int((k - 1) * want / total[$5])' \
  "$src/reference_split.csv" "$src/reference_split.csv" > .gpu-data/aria/split.csv
tail -n +2 .gpu-data/aria/split.csv | cut -d, -f1 | while read -r p; do
  mkdir -p ".gpu-data/aria/$(dirname "$p")"; cp "$src/$p" ".gpu-data/aria/$p"
done
echo "prepare-carry: $(($(wc -l < .gpu-data/aria/split.csv) - 1)) images in .gpu-data/aria ($(du -sh .gpu-data | cut -f1))"

tree=$(git ls-files -z --cached --others --exclude-standard | xargs -0 stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}')
carried=$(du -sb .devdeps.tar.xz .gpu-data | awk '{s += $1} END {print s}')
total=$((tree + carried))
echo "prepare-carry: tree $((tree / 1048576)) MiB + carried $((carried / 1048576)) MiB = $((total / 1048576)) MiB of 64"
[ "$total" -le "$LIMIT" ] || { echo "error: N: $N images make $((total / 1048576)) MiB travel, over 64 MiB; use fewer" >&2; exit 1; }
