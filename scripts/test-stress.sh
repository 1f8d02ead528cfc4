#!/usr/bin/env bash
# `npm run test:stress`: the whole suite N times in a row (default 3) while two busy-loop processes
# keep both cores of a small machine loaded, to show the suite does not depend on an idle machine.
# Prints one line per run (duration, result) and exits non-zero if any run failed.
# Usage: scripts/test-stress.sh [RUNS] [-- extra vitest args]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
[ "$#" -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift

bash scripts/setup.sh test

loops=()
stop_loops() {
  for pid in "${loops[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${loops[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_loops EXIT
for _ in 1 2; do
  node -e 'for (;;) {}' &
  loops+=("$!")
done
echo "test:stress: busy loops running as PIDs ${loops[*]} on $(nproc) cores"

failed=0
summary=()
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  log="test-artifacts/stress-run-$i.log"
  mkdir -p test-artifacts
  if npx vitest run "$@" >"$log" 2>&1; then result=passed; else result=FAILED; failed=1; fi
  secs=$(( $(date +%s) - start ))
  # vitest colours its summary even into a file; strip the colour codes before looking for it.
  counts=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ +Tests ' | tail -1 | tr -s ' ' || true)
  line="run $i/$runs: $result in ${secs}s ($counts) — log $log"
  summary+=("$line")
  echo "test:stress: $line"
done
echo "test:stress: summary"
printf '  %s\n' "${summary[@]}"
exit "$failed"
