#!/usr/bin/env bash
# timeline-screenshot.sh TRACE.jsonl OUT.png [upcert timeline options, e.g. --mark LINE:LABEL]
#
# Draws the timeline of a trace (./upcert timeline) and screenshots the page with headless
# Chromium (Debian: apt-get install chromium), 1600x1000, the way TimelineScreenshotTest does.
# The page and its SVG are written beside OUT.png (OUT.html, OUT.svg).
#
#   scripts/timeline-screenshot.sh target/upcert/run-1/trace.jsonl /tmp/run-1.png --mark '4711:ACK-01: J000042'
#   WINDOW_SIZE=1600,1400 takes a taller screenshot (default 1600,1000).
set -euo pipefail
if [ $# -lt 2 ]; then
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
trace="$1"; png="$2"; shift 2
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
chromium="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$chromium" ]; then
  echo "timeline-screenshot: no chromium on PATH (Debian: apt-get install -y chromium)" >&2
  exit 2
fi
mkdir -p "$(dirname "$png")"
base="${png%.png}"
"$root/upcert" timeline "$trace" --out "$base.html" --svg "$base.svg" "$@"
html="$(cd "$(dirname "$base.html")" && pwd)/$(basename "$base.html")"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
# --no-sandbox: Chromium refuses to run as root otherwise (containers, CI). A fresh profile keeps
# the run independent of any user's browser state; timeout bounds a hung browser.
timeout 60 "$chromium" --headless --disable-gpu --no-sandbox --hide-scrollbars --user-data-dir="$profile" \
  --screenshot="$png" --window-size="${WINDOW_SIZE:-1600,1000}" "file://$html" >"$profile/chromium.log" 2>&1 || {
  echo "timeline-screenshot: chromium failed:" >&2
  tail -20 "$profile/chromium.log" >&2
  exit 3
}
[ -s "$png" ] || { echo "timeline-screenshot: chromium wrote no $png" >&2; exit 3; }
echo "screenshot $png"
