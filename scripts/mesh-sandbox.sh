#!/usr/bin/env bash
# NHS England's mesh-sandbox (a local MESH server) in a venv of its own: it pins a FastAPI that
# clashes with Cohort's, so it never shares our .venv.
#   scripts/mesh-sandbox.sh setup   create .mesh-sandbox/ from simulators/mesh-sandbox/requirements.txt
#   scripts/mesh-sandbox.sh run     setup if needed, then serve on MESH_SANDBOX_PORT (default 8700)
# The sandbox reads its mailboxes from files inside its package (the docker image mounts
# replacements over them); setup copies ours (simulators/mesh-sandbox/*.jsonl: Cohort's sender
# mailbox and two practices) into this private venv's copy of the package.
# Full HMAC authentication (AUTH_MODE=full) with MESH_SANDBOX_SHARED_KEY; messages kept as files
# under MESH_SANDBOX_STORE (default: a folder under the system temp dir), so they survive a
# restart; DELETE /messageexchange/admin/reset empties it.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${MESH_SANDBOX_VENV:-$PWD/.mesh-sandbox}"
HERE=simulators/mesh-sandbox

setup() {
  local stamp="$VENV/.installed"
  if [ ! -f "$stamp" ] || ! cmp -s "$HERE/requirements.txt" "$stamp"; then
    rm -rf "$VENV"
    uv venv --quiet --python 3.11 "$VENV"
    uv pip install --quiet --python "$VENV/bin/python" --no-deps -r "$HERE/requirements.txt"
    cp "$HERE/requirements.txt" "$stamp"
  fi
  local data
  data=$("$VENV/bin/python" -c 'import mesh_sandbox, os; print(os.path.join(os.path.dirname(mesh_sandbox.__file__), "store", "data"))')
  cp "$HERE/mailboxes.jsonl" "$HERE/workflows.jsonl" "$data/"
}

case "${1:-run}" in
  setup) setup ;;
  run)
    setup
    export AUTH_MODE=full STORE_MODE="${MESH_SANDBOX_STORE_MODE:-file}"
    export SHARED_KEY="${MESH_SANDBOX_SHARED_KEY:-cohort-dev-shared-key}"
    export FILE_STORE_DIR="${MESH_SANDBOX_STORE:-${TMPDIR:-/tmp}/cohort-mesh-store}"
    mkdir -p "$FILE_STORE_DIR"
    # The sandbox logs two lines per request at DEBUG, set in code when it is imported (no
    # setting reaches it); the fake GP polls twice a second, which would bury every service's
    # log under `make run`. Import it first, then lower its logger (MESH_SANDBOX_LOG_LEVEL).
    # Its FastAPI deprecation warnings (about thirty at start) are the sandbox's, not ours.
    exec "$VENV/bin/python" -c '
import logging, os, sys, warnings
warnings.filterwarnings("ignore", module="mesh_sandbox")
import mesh_sandbox.common
import uvicorn
logging.getLogger("mesh-sandbox").setLevel(os.environ.get("MESH_SANDBOX_LOG_LEVEL", "WARNING"))
uvicorn.run("mesh_sandbox.api:app", host=sys.argv[1], port=int(sys.argv[2]), workers=1, log_level="warning")
' "${MESH_SANDBOX_HOST:-127.0.0.1}" "${MESH_SANDBOX_PORT:-8700}"
    ;;
  *) echo "usage: $0 [setup|run]" >&2; exit 2 ;;
esac
