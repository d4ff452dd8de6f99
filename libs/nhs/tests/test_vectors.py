"""Our one implementation of each value against the shared vectors (the simulators run the same
vectors against their own, independent implementations: drift fails a test)."""

from typing import Any

import pytest

from cohort_nhs import international_digits, is_gsm, is_valid_nhs_number, sms_size, uk_mobile
from cohort_nhs.vectors import load


@pytest.mark.parametrize("case", load("sms_sizes.json"), ids=lambda c: repr(c["text"][:20]))
def test_sms_sizes(case: dict[str, Any]) -> None:
    size = sms_size(case["text"])
    assert (is_gsm(case["text"]), size.length, size.fragments) == (
        case["gsm"],
        case["length"],
        case["fragments"],
    )


@pytest.mark.parametrize("case", load("phone_numbers.json"), ids=lambda c: c["raw"] or "empty")
def test_phone_numbers(case: dict[str, Any]) -> None:
    assert uk_mobile(case["raw"]) == case["uk_mobile"]
    assert international_digits(case["raw"]) == case["international"]


@pytest.mark.parametrize("case", load("nhs_numbers.json"), ids=lambda c: c["value"])
def test_nhs_numbers(case: dict[str, Any]) -> None:
    assert is_valid_nhs_number(case["value"]) is case["valid"]
