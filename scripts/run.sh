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
  cleanup() {
    python -m cohort_platform.namespaces delete "$COHORT_NAMESPACE" || true
    [ -n "${MESH_SANDBOX_STORE:-}" ] && rm -rf "$MESH_SANDBOX_STORE"
  }
  trap cleanup EXIT
  echo "MONGODB_URL is not set: in-memory campaign store; RabbitMQ namespace $COHORT_NAMESPACE" \
       "(deleted when this run stops)" >&2
fi
# Save to record: NHS England's mesh-sandbox (a local MESH) and the fake GP system on its two
# practice mailboxes. The sandbox routes no GPPROVIDER_ addresses, so its practices are addressed
# by mailbox. Without MONGODB_URL the sandbox's messages are kept for this run only.
MESH_SANDBOX_PORT="${MESH_SANDBOX_PORT:-8700}"
export MESH_SANDBOX_PORT
export RECORD_MESH_URL="${RECORD_MESH_URL:-http://127.0.0.1:$MESH_SANDBOX_PORT}"
export FAKE_GP_MESH_URL="${FAKE_GP_MESH_URL:-$RECORD_MESH_URL}"
sandbox_practices='{"A81001": {"addressing": "mailbox", "mailbox": "A81001GP1"}, "A81002": {"addressing": "mailbox", "mailbox": "A81002GP1"}}'
export RECORD_PRACTICES="${RECORD_PRACTICES:-$sandbox_practices}"
export RECORD_POLL_INTERVAL_S="${RECORD_POLL_INTERVAL_S:-5}"
if [ -z "${MONGODB_URL:-}" ] && [ -z "${MESH_SANDBOX_STORE:-}" ]; then
  MESH_SANDBOX_STORE="$(mktemp -d "${TMPDIR:-/tmp}/cohort-mesh-XXXXXX")"
  export MESH_SANDBOX_STORE
fi
scripts/mesh-sandbox.sh setup
honcho -f Procfile start
