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
# Adds one pytest run's closing line to the totals; its exit status 5 means the project has
# no test for this marker, which is not a failure.
tally() {
  local summary
  summary=$(grep -E '[0-9]+ (passed|failed|error|errors|skipped|deselected)' "$1" | tail -1)
  passed=$((passed + $(count passed "$summary")))
  failed=$((failed + $(count failed "$summary") + $(count "errors?" "$summary")))
  skipped=$((skipped + $(count skipped "$summary")))
  if [ "$2" -ne 0 ] && [ "$2" -ne 5 ]; then status=1; fi
}

# The projects run in two lanes at once (two cores): the gateway's, the longest (its tenancy
# sweep and API fuzzing), with the patient pages' beside all the others. Each writes to a file
# of its own, shown in order when both lanes are done. Every project's tests use a RabbitMQ
# namespace and ports of their own, so two at once do not meet.
projects=()
for dir in libs/*/tests services/*/tests simulators/*/tests; do
  [ -d "$dir" ] && projects+=("$dir")
done
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
out_of() { echo "$results/$(tr / _ <<<"$1")"; }
lane() {
  local started
  for dir in "$@"; do
    started=$SECONDS
    # No cache: two pytest processes would both write .pytest_cache.
    .venv/bin/python -m pytest "$dir" -q -p no:cacheprovider -m "$marker" >"$(out_of "$dir")" 2>&1
    echo $? >"$(out_of "$dir").rc"
    # How long each project took, so the slowest stands out when the suite nears its budget.
    echo "($dir: $((SECONDS - started)) s)" >>"$(out_of "$dir")"
  done
}
first=(services/gateway/tests services/patient/tests)
second=()
for dir in "${projects[@]}"; do
  [[ " ${first[*]} " == *" $dir "* ]] || second+=("$dir")
done
lane "${first[@]}" &
lane "${second[@]}"
wait
for dir in "${projects[@]}"; do
  echo "== $dir"
  cat "$(out_of "$dir")"
  tally "$(out_of "$dir")" "$(cat "$(out_of "$dir").rc")"
done

# The cross-service and end-to-end tests alone, after them: they start every service.
echo "== tests"
started=$SECONDS
out=$(out_of tests)
.venv/bin/python -m pytest tests -q -m "$marker" 2>&1 | tee "$out"
tally "$out" "${PIPESTATUS[0]}"
echo "(tests: $((SECONDS - started)) s)"

echo
echo "$stores"
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
