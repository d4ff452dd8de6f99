#!/usr/bin/env bash
# make run: every service and simulator as local processes (honcho, Procfile); Ctrl-C stops all.
#
# With MONGODB_URL the state outlives the run, so the broker namespace is the fixed one
# (COHORT_NAMESPACE, default "cohort"). Without it, campaign keeps its state in memory: the run
# gets a namespace of its own, deleted when it ends, so no message queued by this run (a
# receipt, a record entry) can ever meet the next run's empty store.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
if [ -z "${MONGODB_URL:-}" ] && [ -z "${COHORT_NAMESPACE:-}" ]; then
  COHORT_NAMESPACE="dev-$(date +%Y%m%d-%H%M%S)-$RANDOM"
  export COHORT_NAMESPACE
  cleanup() { python -m cohort_platform.namespaces delete "$COHORT_NAMESPACE" || true; }
  trap cleanup EXIT
  echo "MONGODB_URL is not set: in-memory campaign store; RabbitMQ namespace $COHORT_NAMESPACE" \
       "(deleted when this run stops)" >&2
fi
honcho -f Procfile start
