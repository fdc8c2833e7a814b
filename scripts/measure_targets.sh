#!/usr/bin/env bash
# The time targets, measured one after another (never beside other work), with
# the load average before and after each, as the README reports them:
#   the test suite, the default bench, the default report, check cold and warm.
#   bash scripts/measure_targets.sh [OUT_DIR]      (default: a new temporary folder)
# Each command's output goes to OUT_DIR/<name>.log; a summary is printed at the end.
# Takes about 20 minutes on 2 cores. Timings on a shared machine are noisy: read
# the load figures beside them.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-$(mktemp -d)}
mkdir -p "$out"
cache=$(mktemp -d)  # an empty JAX cache for the cold check, kept for the warm one
trap 'rm -rf "$cache"' EXIT
summary=()

measure() {  # measure NAME COMMAND...: wall seconds, exit status, load around it
  local name=$1; shift
  local before after start rc
  before=$(cut -d' ' -f1 /proc/loadavg)
  start=$(date +%s%N)
  "$@" >"$out/$name.log" 2>&1
  rc=$?
  after=$(cut -d' ' -f1 /proc/loadavg)
  summary+=("$(printf '%-12s %5d s  exit %d  load %s -> %s' "$name" \
    $((($(date +%s%N) - start) / 1000000000)) "$rc" "$before" "$after")")
  echo "${summary[-1]}"
}

python3 dev.py triptych --help >/dev/null  # the venv made before anything is timed
measure test python3 dev.py test
measure bench python3 dev.py triptych bench --csv "$out/bench.csv"
measure report python3 dev.py triptych report --out "$out/report"
measure check_cold env TRIPTYCH_CACHE_DIR="$cache" python3 dev.py triptych check
measure check_warm env TRIPTYCH_CACHE_DIR="$cache" python3 dev.py triptych check

echo
echo "on $(nproc) cores, logs in $out:"
printf '%s\n' "${summary[@]}"
