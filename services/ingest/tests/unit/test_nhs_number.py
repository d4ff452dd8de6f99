import pytest

from cohort_contracts.vocabulary import UploadReason
from cohort_nhs import is_valid_nhs_number
from ingest.domain.nhs_number import normalise_nhs_number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("9000000009", "9000000009"),  # 90 mod 11 = 2, check 9
        ("9111231130", "9111231130"),  # remainder 0: check 11 becomes 0
        ("943 476 5919", "9434765919"),
        ("943-476-5919", "9434765919"),
        (" 9434765919\t", "9434765919"),
    ],
)
def test_valid_numbers_are_normalised_to_ten_digits(raw: str, expected: str) -> None:
    assert normalise_nhs_number(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", " - "])
def test_empty_number_is_missing(raw: str) -> None:
    assert normalise_nhs_number(raw) is UploadReason.MISSING_NHS_NUMBER


@pytest.mark.parametrize(
    "raw",
    [
        "9000000000",  # wrong check digit
        "900000000",  # nine digits
        "90000000090",  # eleven digits
        "90000000O9",  # a letter O
        "\uff19" + "\uff10" * 8 + "\uff19",  # full-width digits are not ASCII digits
        "0000000060",  # 6 x 2 = 12, remainder 1: check would be 10, so no valid number
        "0000000061",
        "9000000009.0",
    ],
)
def test_malformed_or_failing_modulus_11_is_invalid(raw: str) -> None:
    assert normalise_nhs_number(raw) is UploadReason.INVALID_NHS_NUMBER


def test_every_prefix_has_at_most_one_valid_check_digit() -> None:
    valid = [d for d in "0123456789" if is_valid_nhs_number("943476591" + d)]
    assert valid == ["9"]
