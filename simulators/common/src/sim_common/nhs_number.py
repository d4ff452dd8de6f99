"""NHS number Modulus 11 check (NHS Data Dictionary; see reference/pds.md section 7), for the PDS
and GP Connect simulators. Not ``cohort_nhs``'s: a double that shares our code cannot catch our
bugs, so the two run one set of test vectors instead (``tests/test_shared_vectors.py``)."""

_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when no valid number starts with them."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, _WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def is_valid_nhs_number(value: str) -> bool:
    if len(value) != 10 or not value.isascii() or not value.isdigit():
        return False
    return check_digit(value[:9]) == int(value[9])
