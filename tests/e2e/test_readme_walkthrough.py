"""The README's "Try it by hand" walkthrough, pasted as it stands into a shell beside `make run`
on its default ports: every command works, in order, and the patients' outcomes come out at the
end. A walkthrough that drifts from the API (a renamed field, a changed status) fails here.
`make demo` runs against the same `make run` after it."""

import csv
import io
import os
import re
import socket
import subprocess
from pathlib import Path

import httpx2
import pytest

from .log_scan import SERVICES
from .paths import ROOT
from .readiness import running, wait_ready

pytestmark = pytest.mark.e2e

#: A line of honcho's output: ``12:04:40 campaign.1 | {"level": ...}``.
HONCHO_LINE = re.compile(r"^\d\d:\d\d:\d\d (?P<process>[\w-]+)\.\d+\s+\| (?P<text>.*)$")

#: make run's default ports the walkthrough needs: gateway, campaign, ingest, dispatch.
READY = [f"http://127.0.0.1:{port}/readyz" for port in (8000, 8101, 8102, 8103)]


#: Appended to the walkthrough: what it captured, for the test to look up through the API.
TOLD = "WALKTHROUGH_CAPTURED"
TELL = f'\necho "{TOLD}" "CAMPAIGN=$CAMPAIGN" "LIST=$LIST" "COUNT=$COUNT" "TOKEN=${{AUTH##* }}"\n'


def walkthrough() -> str:
    """The first bash block under the README's "Try it by hand" heading, unchanged."""
    section = (ROOT / "README.md").read_text().split("### Try it by hand", 1)[1]
    return section.split("```bash\n", 1)[1].split("```", 1)[0]


def in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_the_walkthrough_runs_as_written(rabbitmq_url: str, tmp_path: Path) -> None:
    if in_use(8000):
        pytest.fail(
            "port 8000 is taken (a `make run` going?): the walkthrough needs make run's ports"
        )
    env = {k: v for k, v in os.environ.items() if k != "COHORT_NAMESPACE"}
    # Texts wait for the morning at night and on Sundays; the walkthrough says so, but this
    # test checks the outcomes whenever it runs.
    env.update({"RABBITMQ_URL": rabbitmq_url, "CAMPAIGN_QUIET_HOURS": "off"})
    log = tmp_path / "run.log"
    try:
        with running(["make", "run"], env, log) as run:
            wait_ready(READY, run, log)
            pasted = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", walkthrough() + TELL],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert pasted.returncode == 0, pasted.stderr[-4000:]
            told = dict(
                word.split("=", 1)
                for word in pasted.stdout.rsplit(TOLD, 1)[1].split("\n", 1)[0].split()
            )
            check_outcomes(pasted.stdout, told)
            # `make demo` against the same run, for another practice: its own campaign, its own
            # patients' outcomes.
            demo = subprocess.run(
                ["make", "demo"],
                cwd=ROOT,
                env={**env, "ORG": "A81002"},
                capture_output=True,
                text=True,
                timeout=180,
            )
            assert demo.returncode == 0, demo.stdout[-4000:] + demo.stderr[-4000:]
            assert "campaign completed" in demo.stdout, demo.stdout[-4000:]
    finally:
        split_by_service(log)


def split_by_service(log: Path) -> None:
    """honcho's one stream, as a log per service beside it, for the end-of-session scan for
    patient data (``test_zz_log_scan``) to read as it reads every stack's logs."""
    lines: dict[str, list[str]] = {}
    for line in log.read_text(errors="replace").splitlines():
        if (found := HONCHO_LINE.match(line)) and found["process"] in SERVICES:
            lines.setdefault(found["process"], []).append(found["text"])
    assert set(lines) >= {"gateway", "campaign", "ingest", "dispatch"}, "honcho's format changed?"
    for service, written in lines.items():
        (log.parent / f"{service}-make-run.log").write_text("\n".join(written) + "\n")


def check_outcomes(output: str, told: dict[str, str]) -> None:
    api = httpx2.Client(
        base_url="http://127.0.0.1:8000/v1",
        headers={"Authorization": f"Bearer {told['TOKEN']}"},
    )
    campaign = f"/campaigns/{told['CAMPAIGN']}"
    listed = api.get(f"{campaign}/patient-lists/{told['LIST']}").json()
    assert listed["status"] == "complete"
    assert listed["processed_rows"] == listed["total_rows"]
    assert listed["succeeded"] + listed["failed"] == listed["total_rows"]
    assert listed["failed"] > 0, "the sample list has every PDS case"
    # The unsuccessful rows and every patient's outcome were printed, as CSV.
    assert "reason_code" in output
    printed = output.rsplit(TOLD, 1)[0]
    rows = list(csv.DictReader(io.StringIO(printed[printed.rindex("nhs_number,") :])))
    assert len(rows) == int(told["COUNT"]) == listed["succeeded"]
    # Ten seconds after sending, every text has reached the provider at least.
    assert {row["status"] for row in rows} <= {"sent", "delivered", "failed"}, rows
    counts = api.get(campaign).json()["counts"]
    assert counts["recipients"] == int(told["COUNT"])
    assert counts["queued"] == 0
