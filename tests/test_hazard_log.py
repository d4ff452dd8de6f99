"""The hazard log cannot rot: every test it names as evidence for a control must exist.

The log (docs/safety/hazard-log.md) names pytest node ids. This test parses each named file with
`ast` (no import, so it is fast and needs no servers) and fails when a file, class or test function
is missing, when a hazard lacks one of DCB0129's fields, or when a risk rating disagrees with the
DCB0129 matrix of likelihood and severity.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "docs" / "safety" / "hazard-log.md"
SAFETY_CASE = ROOT / "docs" / "safety" / "safety-case.md"

# DCB0129's risk matrix: rows are likelihood, columns severity (consequence), cells the rating
# 1 (acceptable) to 5 (unacceptable).
SEVERITIES = ("Minor", "Significant", "Considerable", "Major", "Catastrophic")
MATRIX = {
    "Very high": (3, 4, 4, 5, 5),
    "High": (2, 3, 3, 4, 5),
    "Medium": (2, 2, 3, 3, 4),
    "Low": (1, 2, 2, 3, 4),
    "Very low": (1, 1, 2, 2, 3),
}
REQUIRED = (
    "Cause",
    "Effect",
    "Possible harm",
    "Initial risk",
    "Design controls",
    "Test controls",
    "User-facing controls",
    "Residual risk",
    "Status",
    "Tests",
)
# The hazards the issue names: the log must keep at least these.
NAMED_HAZARDS = (
    "wrong patient",
    "wrong message or wrong cohort",
    "deceased",
    "restricted record",
    "messaged twice",
    "silent non-delivery",
    "save to record",
    "inappropriate time",
    "opted-out",
    "cross-practice",
    "wrong person",
)
HEADING = re.compile(r"^### (HAZ-\d{2}) (.+)$", re.MULTILINE)
FIELD = re.compile(r"^- \*\*(?P<name>[A-Za-z -]+):\*\*(?P<value>.*)$")
NODE_ID = re.compile(r"`([\w./-]+\.py(?:::\w+)+)(?:\[[^\]]*\])?`")
RISK = re.compile(
    "(?P<likelihood>Very high|High|Medium|Low|Very low) likelihood \u00d7 "
    r"(?P<severity>\w+) severity = \*\*(?P<rating>[1-5])\*\*"
)


@dataclass
class Hazard:
    hazard_id: str
    title: str
    fields: dict[str, str] = field(default_factory=dict)
    tests: list[str] = field(default_factory=list)


def read_hazards(text: str) -> list[Hazard]:
    hazards: list[Hazard] = []
    headings = list(HEADING.finditer(text))
    for index, heading in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(text)
        hazard = Hazard(heading.group(1), heading.group(2))
        current = ""
        for line in text[heading.end() : end].splitlines():
            match = FIELD.match(line)
            if match:
                current = match.group("name")
                hazard.fields[current] = match.group("value").strip()
            elif current and line.strip():
                hazard.fields[current] += " " + line.strip()
            if current == "Tests":
                hazard.tests.extend(NODE_ID.findall(line))
        hazards.append(hazard)
    return hazards


def _defined(body: list[ast.stmt], name: str) -> ast.stmt | None:
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and (
            node.name == name
        ):
            return node
    return None


def node_id_problem(node_id: str) -> str | None:
    """Why a node id does not name a real test, or None when it does."""
    path, *names = node_id.split("::")
    source = ROOT / path
    if not source.is_file():
        return f"{node_id}: no file {path}"
    body = ast.parse(source.read_text(encoding="utf-8")).body
    for position, name in enumerate(names):
        found = _defined(body, name)
        if found is None:
            return f"{node_id}: {name} is not defined"
        last = position == len(names) - 1
        if last and not (isinstance(found, ast.FunctionDef | ast.AsyncFunctionDef)):
            return f"{node_id}: {name} is not a test function"
        if last and not name.startswith("test"):
            return f"{node_id}: {name} is not collected by pytest (no test prefix)"
        if isinstance(found, ast.ClassDef):
            body = found.body
    if not Path(path).name.startswith("test_"):
        return f"{node_id}: {path} is not a test module"
    return None


HAZARDS = read_hazards(LOG.read_text(encoding="utf-8"))


def test_the_log_has_every_named_hazard_once() -> None:
    ids = [hazard.hazard_id for hazard in HAZARDS]
    assert len(ids) == len(set(ids)), "hazard ids repeat"
    titles = " ".join(hazard.title.lower() for hazard in HAZARDS)
    missing = [name for name in NAMED_HAZARDS if name not in titles]
    assert not missing, f"the hazard log has no entry for {missing}"


@pytest.mark.parametrize("hazard", HAZARDS, ids=lambda hazard: hazard.hazard_id)
def test_each_hazard_has_every_field_and_a_consistent_risk(hazard: Hazard) -> None:
    missing = [name for name in REQUIRED if not hazard.fields.get(name, "").strip()]
    assert not missing, f"{hazard.hazard_id} lacks {missing}"
    for name in ("Initial risk", "Residual risk"):
        match = RISK.search(hazard.fields[name])
        assert match, f"{hazard.hazard_id} {name} is not 'X likelihood x Y severity = **N**'"
        severity = match.group("severity")
        assert severity in SEVERITIES, f"{hazard.hazard_id}: unknown severity {severity}"
        expected = MATRIX[match.group("likelihood")][SEVERITIES.index(severity)]
        assert int(match.group("rating")) == expected, (
            f"{hazard.hazard_id} {name}: the DCB0129 matrix gives {expected}"
        )


@pytest.mark.parametrize("hazard", HAZARDS, ids=lambda hazard: hazard.hazard_id)
def test_each_control_is_proved_by_tests_that_exist(hazard: Hazard) -> None:
    if not hazard.tests:
        # Only an open hazard (no control yet in place) may name no test, and it says so.
        assert hazard.fields["Status"].startswith("Open"), f"{hazard.hazard_id} names no test"
    problems = [problem for test in hazard.tests if (problem := node_id_problem(test))]
    assert not problems, "\n".join(problems)


def test_the_checker_refuses_what_does_not_exist() -> None:
    # The guard itself must bite: a renamed test, a missing file and a non-test are refused.
    this = "tests/test_hazard_log.py"
    assert node_id_problem(f"{this}::test_the_checker_refuses_what_does_not_exist") is None
    assert node_id_problem(f"{this}::test_renamed_away")
    assert node_id_problem("tests/no_such_file.py::test_x")
    assert node_id_problem(f"{this}::read_hazards")


def test_the_safety_case_argues_from_every_hazard() -> None:
    case = SAFETY_CASE.read_text(encoding="utf-8")
    absent = [hazard.hazard_id for hazard in HAZARDS if hazard.hazard_id not in case]
    assert not absent, f"the safety case does not mention {absent}"


def test_the_safety_case_quotes_the_logs_ratings() -> None:
    # The report's table must not drift from the log it argues from.
    row = re.compile(r"^\| (HAZ-\d{2}) [^|]+\| ([1-5]) \| ([1-5]) \|", re.MULTILINE)
    quoted = {m.group(1): (int(m.group(2)), int(m.group(3))) for m in row.finditer(
        SAFETY_CASE.read_text(encoding="utf-8")
    )}  # fmt: skip
    logged = {
        h.hazard_id: tuple(
            int(match.group("rating"))
            for name in ("Initial risk", "Residual risk")
            if (match := RISK.search(h.fields[name])) is not None
        )
        for h in HAZARDS
    }
    assert quoted == logged
