"""Numbers as Firetext reports them back and as we store them, made the same digits."""

import pytest

from cohort_nhs import international_digits


@pytest.mark.parametrize(
    ("written", "digits"),
    [
        ("447700900123", "447700900123"),
        ("07700900123", "447700900123"),
        ("07700 900123", "447700900123"),
        ("+447700900123", "447700900123"),
        ("+44 7700 900123", "447700900123"),
        ("0044 7700 900123", "447700900123"),
        ("+44 (0)7700 900123", "447700900123"),
        ("(07700) 900-123", "447700900123"),
        ("+1 (202) 555-0100", "12025550100"),
        ("00353 87 123 4567", "353871234567"),
    ],
)
def test_numbers_become_international_digits(written: str, digits: str) -> None:
    assert international_digits(written) == digits


@pytest.mark.parametrize(
    "written", ["", "not-a-number", "12345", "+0123456789", "0", "447700x00123"]
)
def test_what_is_not_a_phone_number_gives_none(written: str) -> None:
    assert international_digits(written) is None
