"""Dates: the date of birth as a practice writes it, and FHIR's (possibly partial) dates."""

import re
from dataclasses import dataclass
from datetime import date

from cohort_contracts.vocabulary import UploadReason

# Nobody alive was born before this; a year like 0198 or 1066 is a typo, not a patient.
EARLIEST_BIRTH_YEAR = 1870

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
# dd/mm/yyyy (SystmOne), dd-mm-yyyy, dd.mm.yyyy; the separator must be the same twice.
_DAY_FIRST = re.compile(r"(?P<d>\d{1,2})(?P<sep>[/.-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})")
_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})")
# dd-Mon-yyyy (EMIS Web), also with spaces: 29-Feb-1980, 29 Feb 1980.
_NAMED_MONTH = re.compile(r"(?P<d>\d{1,2})(?P<sep>[- ])(?P<mon>[A-Za-z]{3})(?P=sep)(?P<y>\d{4})")
# FHIR date / dateTime: YYYY, YYYY-MM, YYYY-MM-DD, optionally followed by a time.
_FHIR_DATE = re.compile(r"(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?(?:T.*)?")


def _read_date(text: str) -> date | None:
    """A calendar date in one of the accepted layouts; None if unreadable or impossible.

    Two-digit years (29/02/80) are refused: 1980 or 2080 is a guess we must not make."""
    if match := _DAY_FIRST.fullmatch(text) or _ISO.fullmatch(text):
        day, month, year = int(match["d"]), int(match["m"]), int(match["y"])
    elif match := _NAMED_MONTH.fullmatch(text):
        named = _MONTHS.get(match["mon"].lower())
        if named is None:
            return None
        day, month, year = int(match["d"]), named, int(match["y"])
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date_of_birth(raw: str, today: date) -> date | UploadReason:
    text = raw.strip()
    if not text:
        return UploadReason.MISSING_DATE_OF_BIRTH
    born = _read_date(text)
    if born is None or born > today or born.year < EARLIEST_BIRTH_YEAR:
        return UploadReason.INVALID_DATE_OF_BIRTH
    return born


@dataclass(frozen=True)
class PartialDate:
    """A FHIR date known to the year, month or day (PDS birthDate may be YYYY or YYYY-MM)."""

    year: int
    month: int | None = None
    day: int | None = None

    def _key(self) -> tuple[int, ...]:
        parts = [self.year]
        if self.month is not None:
            parts.append(self.month)
            if self.day is not None:
                parts.append(self.day)
        return tuple(parts)

    def _cut(self, other: date) -> tuple[int, ...]:
        return (other.year, other.month, other.day)[: len(self._key())]

    def matches(self, other: date) -> bool:
        """Equal in every part this date has."""
        return self._key() == self._cut(other)

    def on_or_before(self, other: date) -> bool:
        return self._key() <= self._cut(other)

    def on_or_after(self, other: date) -> bool:
        return self._key() >= self._cut(other)


def parse_fhir_date(value: str) -> PartialDate | None:
    """A FHIR date or dateTime to the precision it was given; None if it is not one."""
    match = _FHIR_DATE.fullmatch(value.strip())
    if match is None:
        return None
    year = int(match["y"])
    month = int(match["m"]) if match["m"] else None
    day = int(match["d"]) if match["d"] else None
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        return None
    return PartialDate(year, month, day)
