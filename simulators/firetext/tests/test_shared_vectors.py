"""The simulator's own fragment counting (deliberately not ours: a double that shared our code
could not catch our bugs) against the vectors our implementation runs too."""

from typing import Any

import pytest

from cohort_nhs.vectors import load
from firetext_sim.fragments import fragment_count, is_gsm, sms_length


@pytest.mark.parametrize("case", load("sms_sizes.json"), ids=lambda c: repr(c["text"][:20]))
def test_sizes_agree_with_the_shared_vectors(case: dict[str, Any]) -> None:
    text = case["text"]
    assert (is_gsm(text), sms_length(text), fragment_count(text)) == (
        case["gsm"],
        case["length"],
        case["fragments"],
    )
