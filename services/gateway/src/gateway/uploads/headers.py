"""Recognising the NHS-number and date-of-birth columns in the header row of an export.

EMIS Web, SystmOne and hand-made spreadsheets spell them differently, so names are compared
after dropping case, spaces and punctuation ("NHS No." and "nhs_no" are the same column)."""

import re

NHS_NUMBER = "NHS number"
DATE_OF_BIRTH = "date of birth"

_ALIASES: dict[str, tuple[str, ...]] = {
    NHS_NUMBER: ("NHS Number", "NHS number", "NHSNumber", "nhs_no", "NHS No"),
    DATE_OF_BIRTH: ("Date of Birth", "DOB", "Birth Date", "Date of birth"),
}

#: One example spelling per required column, for error messages.
EXAMPLES: dict[str, str] = {NHS_NUMBER: "NHS Number", DATE_OF_BIRTH: "Date of Birth"}

_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def normalise(name: str) -> str:
    return _NOT_ALNUM.sub("", name.lower())


_KEYS: dict[str, frozenset[str]] = {
    column: frozenset(normalise(alias) for alias in aliases) for column, aliases in _ALIASES.items()
}


def find_column(cells: list[str], column: str) -> int | None:
    """Index of the first cell naming ``column`` (``NHS_NUMBER`` or ``DATE_OF_BIRTH``)."""
    keys = _KEYS[column]
    for index, cell in enumerate(cells):
        if normalise(cell) in keys:
            return index
    return None
