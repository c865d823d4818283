#!/usr/bin/env bash
# Renders a leukoscope report (report.html) to one PNG of the whole page with headless Chromium,
# for a quick look without a browser or for attaching to an issue.
#   scripts/screenshot-report.sh REPORT_HTML OUT_PNG [WIDTH]     (WIDTH in CSS pixels, default 1200)
# Needs chromium (Debian: apt-get install --no-install-recommends chromium); not a build dependency.
set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
  echo "usage: $0 REPORT_HTML OUT_PNG [WIDTH]" >&2
  exit 2
fi
report=$1 out=$2 width=${3:-1200}
[[ -f $report ]] || { echo "error: $report: no such file" >&2; exit 1; }
[[ $width =~ ^[0-9]+$ ]] || { echo "error: WIDTH: not a number: $width" >&2; exit 1; }
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[[ -n $browser ]] || { echo "error: chromium not found (apt-get install --no-install-recommends chromium)" >&2; exit 1; }

abs_report=$(realpath "$report")
abs_out=$(realpath -m "$out")
mkdir -p "$(dirname "$abs_out")"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

flags=(--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking
       --disable-extensions --hide-scrollbars --force-device-scale-factor=1 --user-data-dir="$scratch/profile")

# Pass 1: the page's full height. A copy of the report with one line of script that records
# document height in the DOM, read back with --dump-dom (the report itself stays script-free).
sed 's|</body>|<script>document.body.setAttribute("data-page-height", document.documentElement.scrollHeight)</script></body>|' \
  "$abs_report" > "$scratch/measure.html"
height=$("$browser" "${flags[@]}" --window-size="$width,1000" --virtual-time-budget=5000 --dump-dom \
           "file://$scratch/measure.html" 2>/dev/null | grep -o 'data-page-height="[0-9]*"' | grep -o '[0-9]*' || true)
if [[ -z $height ]]; then
  height=9000
  echo "warning: could not measure the page; using a fixed height of $height px" >&2
fi
# Beyond ~16k px Chromium's compositor tiles fail silently; cap, and say so.
if (( height > 16000 )); then
  echo "warning: page is $height px tall; the screenshot shows the first 16000 px" >&2
  height=16000
fi

# Pass 2: the screenshot, the window exactly as tall as the page.
"$browser" "${flags[@]}" --window-size="$width,$height" --virtual-time-budget=5000 \
  --screenshot="$abs_out" "file://$abs_report" >/dev/null 2>"$scratch/chromium.log" || {
  echo "error: chromium failed: $(tail -n 1 "$scratch/chromium.log")" >&2
  exit 1
}
[[ -s $abs_out ]] || { echo "error: chromium wrote no screenshot" >&2; exit 1; }
echo "$abs_out (${width}x${height})"
