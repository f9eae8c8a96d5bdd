#!/usr/bin/env bash
# Benchmark (not a test): the default certification of an extension (the bundled sample unless
# --extension JAR is given) in the harness's own JVM and in a JVM worker process, one after the
# other on this machine, with the wall time of each and their ratio (issue 10's goal: the worker
# at most 1.5x in-process). Also checks that both give the same certification.json but for the
# isolation they name. Extra arguments go to both certify commands (e.g. --profiles baseline --seeds 1).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mktemp -d "${TMPDIR:-/tmp}/upcert-bench-isolation.XXXXXX")"
trap 'rm -rf "$out"' EXIT
"$root/upcert" --help >/dev/null   # builds the jar first, so neither timing includes the build

measure() {  # name, then certify arguments; prints seconds
  local name="$1"; shift
  local start end
  start=$(date +%s.%N)
  "$root/upcert" certify --quiet --out "$out/$name" "$@" >/dev/null || true
  end=$(date +%s.%N)
  python3 -c "print($end - $start)"
}

in_process=$(measure in-process --isolation in-process "$@")
worker=$(measure worker "$@")
printf 'certify wall time   in-process %6.1f s   worker %6.1f s   ratio %.2fx (goal <= 1.50x)\n' \
  "$in_process" "$worker" "$(python3 -c "print($worker / $in_process)")"
strip() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); [d["runs"].pop(k,None) for k in ("isolation","reproduce")]; print(json.dumps(d,sort_keys=True,indent=1))' "$1"; }
if diff <(strip "$out/in-process/certification.json") <(strip "$out/worker/certification.json") >/dev/null; then
  echo "certification.json   identical but for the isolation"
else
  echo "certification.json   DIFFERENT:"; diff <(strip "$out/in-process/certification.json") <(strip "$out/worker/certification.json") | head -20
  exit 1
fi
