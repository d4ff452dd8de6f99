"""The NHS number's Modulus 11 check digit (reference/pds.md §7)."""

import re

_TEN_DIGITS = re.compile(r"[0-9]{10}")
_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def is_valid_nhs_number(digits: str) -> bool:
    """Ten ASCII digits whose last is the Modulus 11 check digit of the first nine."""
    if not _TEN_DIGITS.fullmatch(digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], _WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    # A remainder giving 10 has no check digit: no NHS number is issued with that prefix.
    return check != 10 and check == int(digits[9])
