from datetime import date

from cohort_contracts.vocabulary import UploadReason
from ingest.domain.rows import ValidRow, validate_row

TODAY = date(2026, 11, 27)


def test_valid_row() -> None:
    assert validate_row("900 000 0009", "29-Feb-1980", TODAY) == ValidRow(
        "9000000009", date(1980, 2, 29)
    )


def test_nhs_number_problems_come_first() -> None:
    assert validate_row("", "", TODAY) is UploadReason.MISSING_NHS_NUMBER
    assert validate_row("123", "x", TODAY) is UploadReason.INVALID_NHS_NUMBER
    assert validate_row("9000000009", "", TODAY) is UploadReason.MISSING_DATE_OF_BIRTH
    assert validate_row("9000000009", "29/02/80", TODAY) is UploadReason.INVALID_DATE_OF_BIRTH
