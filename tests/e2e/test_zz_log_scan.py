"""Issue 15, part 5: after every end-to-end run of the session (this module runs last), no
service log holds an NHS number, mobile number, email address, name or date of birth of the
test data. Named ``zz`` so that pytest runs it after the modules whose stacks wrote the logs;
``COHORT_E2E_LOGS``, where set, names the folder to scan instead of this session's own."""

import os
from pathlib import Path

import pytest

from .log_scan import scan, service_logs

pytestmark = pytest.mark.e2e


def test_no_service_log_of_this_session_holds_patient_data(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # scripts/test.sh runs the end-to-end modules in two processes at once and this one after
    # them, naming the folder that holds both processes' temporary folders.
    logs = service_logs(Path(os.environ.get("COHORT_E2E_LOGS", tmp_path_factory.getbasetemp())))
    if not logs:
        pytest.skip("no end-to-end stack ran in this session: no service log to scan")

    findings = scan(logs)

    # Where, and what kind: never the value found.
    assert findings == [], [f"{f.where}: {f.kind}" for f in findings[:20]]


def test_the_scan_finds_each_kind_of_patient_data(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The scan itself can fail: each kind planted in a log is found; ids and times are not."""
    log = tmp_path_factory.mktemp("planted") / "planted.txt"
    lines = {
        "NHS number": 'extra={"nhs": "9990000018"}',
        "mobile number": "to=+447700900123",
        "email address": "olivia.smith42@example.com",
        "name": "given=Olivia",
        "date of birth": "born 1980-02-29 or 29/02/1980",
    }
    clean = (
        '{"time": "2026-12-06T21:00:00Z", "list_id": "5f0c1e22-9990-4000-8018-123456789012", '
        '"rows": 9990000018123, "epoch": 1765049999}'
    )
    log.write_text("\n".join([*lines.values(), clean]) + "\n")

    found = {f.kind for f in scan([log])}
    per_line = {f.line for f in scan([log])}

    assert found == set(lines)
    assert len(lines) + 1 not in per_line  # the clean line
