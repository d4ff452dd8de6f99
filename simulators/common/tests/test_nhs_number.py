import pytest

from sim_common.nhs_number import check_digit, is_valid_nhs_number


@pytest.mark.parametrize("number", ["9000000009", "9111231130", "9999012221", "9434765919"])
def test_valid_numbers(number: str) -> None:
    assert is_valid_nhs_number(number)


# Full-width digits pass str.isdigit(); they must not pass as an NHS number.
FULL_WIDTH_VALID = "".join(chr(0xFF10 + int(digit)) for digit in "9000000009")


@pytest.mark.parametrize(
    "number", ["9000000000", "900000000", "90000000090", "900000000x", "", FULL_WIDTH_VALID]
)
def test_invalid_numbers(number: str) -> None:
    assert not is_valid_nhs_number(number)


def test_a_check_value_of_ten_means_no_valid_number() -> None:
    # 6 * 2 = 12, 12 mod 11 = 1, 11 - 1 = 10: no number starting 000000006 is valid.
    assert check_digit("000000006") is None
    assert not any(is_valid_nhs_number(f"000000006{digit}") for digit in range(10))


def test_a_check_value_of_eleven_means_zero() -> None:
    assert check_digit("911123113") == 0
