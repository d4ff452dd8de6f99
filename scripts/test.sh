#!/usr/bin/env bash
# Runs every project's tests, one pytest process per project (each has its own `tests`
# package), then the cross-service tests in tests/, and prints one closing line for all.
# Usage: scripts/test.sh [unit|integration|e2e|all]
set -uo pipefail
cd "$(dirname "$0")/.."
case "${1:-all}" in
  unit) marker="not integration and not e2e" ;;
  integration) marker="integration" ;;
  e2e) marker="e2e" ;;
  all) marker="integration or e2e or not (integration or e2e)" ;;
  *) echo "usage: $0 [unit|integration|e2e|all]" >&2; exit 2 ;;
esac
stores=$(.venv/bin/python -m cohort_testing.servers)
echo "$stores"
passed=0; failed=0; skipped=0; status=0
count() { grep -oE "[0-9]+ $1" <<<"$2" | grep -oE '[0-9]+' || echo 0; }
for dir in libs/*/tests services/*/tests simulators/*/tests tests; do
  [ -d "$dir" ] || continue
  echo "== $dir"
  out=$(mktemp)
  .venv/bin/python -m pytest "$dir" -q -m "$marker" 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  summary=$(grep -E '[0-9]+ (passed|failed|error|errors|skipped|deselected)' "$out" | tail -1)
  rm -f "$out"
  passed=$((passed + $(count passed "$summary")))
  failed=$((failed + $(count failed "$summary") + $(count "errors?" "$summary")))
  skipped=$((skipped + $(count skipped "$summary")))
  # 5 means this project has no test for this marker: not a failure.
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 5 ]; then status=1; fi
done
echo
echo "$stores"
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
