"""The NHS number's Modulus 11 check digit (reference/pds.md §7)."""

import re

_TEN_DIGITS = re.compile(r"[0-9]{10}")
_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit of nine digits, or None: a remainder giving 10 has no check
    digit, so no NHS number is issued with those nine."""
    total = sum(int(d) * w for d, w in zip(first_nine, _WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def is_valid_nhs_number(digits: str) -> bool:
    """Ten ASCII digits whose last is the Modulus 11 check digit of the first nine."""
    if not _TEN_DIGITS.fullmatch(digits):
        return False
    return check_digit(digits[:9]) == int(digits[9])
