"""The simulators' own NHS number check against the vectors our implementation runs too."""

from typing import Any

import pytest

from cohort_nhs.vectors import load
from sim_common.nhs_number import is_valid_nhs_number


@pytest.mark.parametrize("case", load("nhs_numbers.json"), ids=lambda c: c["value"])
def test_checks_agree_with_the_shared_vectors(case: dict[str, Any]) -> None:
    assert is_valid_nhs_number(case["value"]) is case["valid"]
