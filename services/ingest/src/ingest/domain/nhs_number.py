"""NHS number normalisation and the Modulus 11 check digit (reference/pds.md §7)."""

import re

from cohort_contracts.vocabulary import UploadReason
from cohort_nhs import is_valid_nhs_number

# UI and clinical-system exports often group the digits: "943 476 5919", "943-476-5919".
_SEPARATORS = re.compile(r"[\s-]+")


def normalise_nhs_number(raw: str) -> str | UploadReason:
    """The ten digits of a CSV cell, or why the cell is unusable."""
    digits = _SEPARATORS.sub("", raw)
    if not digits:
        return UploadReason.MISSING_NHS_NUMBER
    if not is_valid_nhs_number(digits):
        return UploadReason.INVALID_NHS_NUMBER
    return digits
