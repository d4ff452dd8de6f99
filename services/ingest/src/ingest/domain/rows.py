"""Validation of one uploaded row before anything is asked of PDS."""

from dataclasses import dataclass
from datetime import date

from cohort_contracts.vocabulary import UploadReason

from .dates import parse_date_of_birth
from .nhs_number import normalise_nhs_number


@dataclass(frozen=True)
class ValidRow:
    nhs_number: str
    date_of_birth: date


def validate_row(nhs_number: str, date_of_birth: str, today: date) -> ValidRow | UploadReason:
    """The first problem a practice would need to fix, NHS number first."""
    number = normalise_nhs_number(nhs_number)
    if isinstance(number, UploadReason):
        return number
    born = parse_date_of_birth(date_of_birth, today)
    if isinstance(born, UploadReason):
        return born
    return ValidRow(nhs_number=number, date_of_birth=born)
