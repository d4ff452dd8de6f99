"""Patient data in service logs (issue 15, part 5): every log line a test stack wrote, searched
for what the test data holds about patients. The search is by shape, limited to the ranges the
test data uses, so ids, timestamps and counters are not mistaken for patients:

- NHS numbers: ten digits starting 9 that pass the Modulus 11 check, not part of a longer token;
- mobile numbers: Ofcom's drama range 07700 900xxx, in any of the forms we write it;
- email addresses: any address at ``example.com`` (every test patient's domain);
- names: the synthetic patients' given and family names, and the simulator file's;
- dates of birth: a calendar date before 2010 (logs stamp only this decade), ISO or UK style."""

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cohort_nhs import is_valid_nhs_number
from pds_sim import synthetic

ROOT = Path(__file__).resolve().parents[2]
PATIENTS_FILE = ROOT / "simulators/pds/data/patients.ndjson"

_NHS = re.compile(r"(?<![0-9A-Za-z])9\d{9}(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?44\s?|0)7700\s?900\s?\d{3}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@example\.com\b", re.IGNORECASE)
_ISO_DATE = re.compile(r"(?<![\d-])(19\d\d|200\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?![\d:])")
_UK_DATE = re.compile(r"(?<![\d/])(0?[1-9]|[12]\d|3[01])/(0?[1-9]|1[0-2])/(19\d\d|200\d)(?!\d)")


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    kind: str
    #: Never the value itself: the report must not repeat what it found.
    where: str


def _names() -> frozenset[str]:
    names = {
        *synthetic._GIVEN_FEMALE,  # the simulator's own lists are the test data
        *synthetic._GIVEN_MALE,
        *synthetic._FAMILY,
    }
    for line in PATIENTS_FILE.read_text().splitlines():
        if line.strip():
            for name in json.loads(line).get("name", []):
                names.update(n for n in [*name.get("given", []), name.get("family", "")] if n)
    return frozenset(n for n in names if len(n) > 2)


NAMES = _names()
_NAME = re.compile(r"\b(" + "|".join(sorted(map(re.escape, NAMES))) + r")\b")


def scan_line(text: str) -> Iterator[str]:
    """The kinds of patient data ``text`` holds."""
    if any(is_valid_nhs_number(m.group()) for m in _NHS.finditer(text)):
        yield "NHS number"
    if _MOBILE.search(text):
        yield "mobile number"
    if _EMAIL.search(text):
        yield "email address"
    if _NAME.search(text):
        yield "name"
    if _ISO_DATE.search(text) or _UK_DATE.search(text):
        yield "date of birth"


def scan(logs: Iterable[Path]) -> list[Finding]:
    findings = []
    for path in logs:
        with path.open(errors="replace") as lines:
            for number, line in enumerate(lines, start=1):
                for kind in scan_line(line):
                    findings.append(Finding(str(path), number, kind, f"{path.name}:{number}"))
    return findings


#: Our services. The simulators stand for PDS, Firetext and the practices, whose logs are
#: theirs (the PDS simulator's access log names each NHS number it was asked for, as PDS's would).
SERVICES = ("gateway", "ingest", "campaign", "dispatch", "record", "web", "patient")


def service_logs(directory: Path) -> list[Path]:
    """Every log our services' processes wrote under ``directory``, whichever instance."""
    return [
        path for path in sorted(directory.rglob("*.log")) if path.stem.split("-")[0] in SERVICES
    ]
