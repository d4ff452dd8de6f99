"""Recognising the columns of an export's header row.

EMIS Web, SystmOne and hand-made spreadsheets spell them differently, so names are compared
after dropping case, spaces and punctuation ("NHS No." and "nhs_no" are the same column). The NHS
number and date of birth are required; the name columns are only recognised (and reported back),
since names come from PDS, and every column is kept as it is for the unsuccessful-rows report."""

import re

NHS_NUMBER = "NHS number"
DATE_OF_BIRTH = "date of birth"
GIVEN_NAME = "given name"
FAMILY_NAME = "family name"

REQUIRED = (NHS_NUMBER, DATE_OF_BIRTH)
OPTIONAL = (GIVEN_NAME, FAMILY_NAME)

_ALIASES: dict[str, tuple[str, ...]] = {
    NHS_NUMBER: (
        "NHS Number",
        "NHS number",
        "NHSNumber",
        "nhs_no",
        "NHS No",
        "NHS Num",
        "NHS Number (10 digits)",
    ),
    DATE_OF_BIRTH: ("Date of Birth", "DOB", "Birth Date", "Date of birth", "Birthdate"),
    GIVEN_NAME: ("Forename", "Forenames", "First Name", "Given Name", "Given Names", "Firstname"),
    FAMILY_NAME: ("Surname", "Family Name", "Last Name", "Lastname"),
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
    """Index of the first cell naming ``column`` (one of ``REQUIRED`` or ``OPTIONAL``)."""
    keys = _KEYS[column]
    for index, cell in enumerate(cells):
        if normalise(cell) in keys:
            return index
    return None
