#!/usr/bin/env bash
# Runs every project's tests, one pytest process per project (each has its own `tests`
# package), and the cross-service tests in tests/, and prints one closing line for all.
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

# Two lanes at once (two cores). Each project's tests run in a pytest process of their own, and
# the cross-service and end-to-end tests in tests/ in two halves, one at the end of each lane:
# most of their time is spent waiting on services, so two at once take little more than one.
# The gateway's (the longest: its tenancy sweep and API fuzzing) and the patient pages' lead
# the first lane, every other project the second; the end-to-end halves are balanced by their
# measured times. Each process writes to a file of its own, shown in order when both lanes are
# done. Every stack uses a RabbitMQ namespace of its own, and each lane takes its ports from a
# range of its own (COHORT_TEST_PORTS), so two processes never meet.
projects=()
for dir in libs/*/tests services/*/tests simulators/*/tests; do
  [ -d "$dir" ] && projects+=("$dir")
done
first=(services/gateway/tests services/patient/tests)
second=()
for dir in "${projects[@]}"; do
  [[ " ${first[*]} " == *" $dir "* ]] || second+=("$dir")
done
# The end-to-end half of the first lane; everything else in tests/ goes in the second, and the
# scan of every stack's logs for patient data runs last, once both halves have written theirs.
e2e_first=(
  tests/e2e/test_chaos.py tests/e2e/test_save_to_record.py tests/e2e/test_web_journeys.py
  tests/e2e/test_cancel.py tests/test_graceful_shutdown.py tests/e2e/test_uploads.py
  tests/e2e/test_recheck.py tests/e2e/test_uploads_pds_down.py tests/e2e/test_organisations.py
)
log_scan=tests/e2e/test_zz_log_scan.py
e2e_rest=(tests --ignore="$log_scan")
for module in "${e2e_first[@]}"; do e2e_rest+=(--ignore="$module"); done

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
mkdir -p "$results/e2e"
out_of() { echo "$results/$(tr / _ <<<"$1")"; }
# One pytest process: a name for its output, then its arguments.
run_one() {
  local name=$1 started=$SECONDS
  shift
  # No cache: two pytest processes would both write .pytest_cache.
  .venv/bin/python -m pytest "$@" -q -p no:cacheprovider -m "$marker" >"$(out_of "$name")" 2>&1
  echo $? >"$(out_of "$name").rc"
  # How long each took, so the slowest stands out when the suite nears its budget.
  echo "($name: $((SECONDS - started)) s)" >>"$(out_of "$name")"
}
# A subshell each, so that one lane's port range stays its own.
lane() (
  ports=$1 half=$2
  shift 2
  export COHORT_TEST_PORTS=$ports
  for dir in "$@"; do run_one "$dir" "$dir"; done
  if [ "$half" = first ]; then
    run_one "tests (1 of 2)" --basetemp="$results/e2e/first" "${e2e_first[@]}"
  else
    run_one "tests (2 of 2)" --basetemp="$results/e2e/second" "${e2e_rest[@]}"
  fi
)
# Below the kernel's ephemeral ports (32768 on), and clear of RabbitMQ's 25672.
lane 20000-24999 first "${first[@]}" &
lane 26000-30999 second "${second[@]}"
wait
COHORT_E2E_LOGS="$results/e2e" run_one "tests (logs)" "$log_scan"
for name in "${projects[@]}" "tests (1 of 2)" "tests (2 of 2)" "tests (logs)"; do
  echo "== $name"
  cat "$(out_of "$name")"
  tally "$(out_of "$name")" "$(cat "$(out_of "$name").rc")"
done

echo
echo "$stores"
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
