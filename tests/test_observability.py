"""The alert rules and the Grafana dashboard, checked without Prometheus or Grafana (promtool is
not available offline): the rule files have Prometheus' structure, durations and severities;
every metric any expression names is one the code exports (or RabbitMQ's plugin does); every
runbook link lands on a real section of docs/operations.md that names the alert; the dashboard
is what its generator writes, and shows what operators asked for."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from cohort_ops import dashboard
from cohort_ops.metrics import known, referenced

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "deploy" / "observability" / "prometheus" / "cohort-alerts.yml"
RUNBOOK = ROOT / "docs" / "operations.md"
DURATION = re.compile(r"^([0-9]+(ms|s|m|h|d|w|y))+$")
KNOWN = known()


def rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES.read_text())
    assert set(document) == {"groups"}
    found = []
    for group in document["groups"]:
        assert set(group) <= {"name", "interval", "rules", "limit"}
        assert group["rules"], group["name"]
        found += group["rules"]
    return found


def anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#+\s+(.+)$", markdown, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_each_rule_is_well_formed() -> None:
    names = [rule["alert"] for rule in rules()]
    assert len(names) == len(set(names)), "alert names repeat"
    for rule in rules():
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations", "keep_firing_for"}
        assert re.fullmatch(r"Cohort[A-Z][A-Za-z]+", rule["alert"])
        assert DURATION.match(str(rule.get("for", "0m"))), rule["alert"]
        assert rule["labels"]["severity"] in {"page", "ticket"}, rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
        assert _balanced(rule["expr"]), rule["alert"]


def test_the_alerts_operators_need_are_there() -> None:
    watched = " ".join(rule["expr"] for rule in rules())
    for metric in (
        "rabbitmq_detailed_queue_messages",  # DLQ not empty
        "cohort_message_wait_seconds_bucket",  # queue age
        "dispatch_sms_credit_balance",  # credit low
        'ingest_pds_retries_total{cause="throttled"}',  # PDS 429s
        "campaign_receipt_timeouts_total",  # receipt timeouts
        "campaign_outbox_backlog",  # save-to-record outbox
    ):
        assert metric in watched, metric


@pytest.mark.parametrize("rule", rules(), ids=lambda r: r["alert"])
def test_every_metric_an_alert_names_is_exported(rule: dict[str, Any]) -> None:
    named = referenced(rule["expr"])
    assert named, "the expression names no metric"
    assert named <= KNOWN, f"nothing exports {sorted(named - KNOWN)}"


def test_every_runbook_link_lands_on_a_section() -> None:
    sections = anchors(RUNBOOK.read_text())
    for rule in rules():
        path, _, anchor = rule["annotations"]["runbook_url"].partition("#")
        assert (ROOT / path).resolve() == RUNBOOK.resolve()
        assert anchor in sections, f"{rule['alert']}: no section #{anchor} in {path}"


def sections(markdown: str) -> dict[str, str]:
    """Each heading's anchor and the text under it, up to the next heading (a ``#`` line in a
    code block is a shell comment, not a heading)."""
    found: dict[str, str] = {}
    anchor = ""
    fenced = False
    for line in markdown.splitlines():
        fenced ^= line.lstrip().startswith("```")
        if not fenced and (heading := re.match(r"^#+\s+(.+)$", line)):
            anchor = re.sub(r"[^\w\- ]", "", heading[1].strip().lower()).replace(" ", "-")
            found[anchor] = ""
        elif anchor:
            found[anchor] += line + "\n"
    return found


@pytest.mark.parametrize("rule", rules(), ids=lambda r: r["alert"])
def test_every_alert_is_named_in_its_runbook_section(rule: dict[str, Any]) -> None:
    """An operator paged by an alert lands on a section that says what to do about it."""
    anchor = rule["annotations"]["runbook_url"].partition("#")[2]
    assert rule["alert"] in sections(RUNBOOK.read_text()).get(anchor, ""), (
        f"docs/operations.md#{anchor} does not say what to do about {rule['alert']}"
    )


def test_the_dashboard_file_is_what_its_generator_writes() -> None:
    assert dashboard.DASHBOARD.read_text() == dashboard.render(), (
        "run `uv run python -m cohort_ops.dashboard --write`"
    )


def test_every_dashboard_panel_queries_exported_metrics() -> None:
    board = json.loads(dashboard.DASHBOARD.read_text())
    panels = [p for p in board["panels"] if p["type"] != "row"]
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids))
    for panel in panels:
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            named = referenced(target["expr"].replace("$namespace", "cohort"))
            assert named, panel["title"]
            assert named <= KNOWN, f"{panel['title']}: nothing exports {sorted(named - KNOWN)}"
            assert _balanced(target["expr"]), panel["title"]
    _no_overlaps([p["gridPos"] for p in board["panels"]])


def test_the_dashboard_shows_what_operators_asked_for() -> None:
    titles = " | ".join(p["title"].lower() for p in json.loads(dashboard.render())["panels"])
    for wanted in (
        "queue depth",
        "queue age",
        "dead-letter",
        "pds latency",
        "pds responses",
        "firetext latency",
        "rows resolved",
        "messages handled",
        "receipts",
        "outbox backlog",
        "credit balance",
    ):
        assert wanted in titles, wanted


def _balanced(expr: str) -> bool:
    depth = 0
    for char in re.sub(r'"(?:[^"\\]|\\.)*"', "", expr):
        depth += {"(": 1, ")": -1, "{": 1, "}": -1, "[": 1, "]": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _no_overlaps(boxes: list[dict[str, int]]) -> None:
    cells: set[tuple[int, int]] = set()
    for box in boxes:
        assert box["x"] + box["w"] <= 24
        covered = {
            (x, y)
            for x in range(box["x"], box["x"] + box["w"])
            for y in range(box["y"], box["y"] + box["h"])
        }
        assert not covered & cells, f"panels overlap at {box}"
        cells |= covered
