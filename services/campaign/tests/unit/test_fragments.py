"""The non-GSM characters that cost more fragments, and what to write instead (the sizes
themselves are cohort_nhs's, tested against the shared vectors in ``cohort_nhs/vectors``)."""

import pytest

from campaign.domain.fragments import non_gsm_report, suggestion


@pytest.mark.parametrize(
    ("character", "replacement"),
    [
        ("\u2019", "'"),
        ("\u2018", "'"),
        ("\u201c", '"'),
        ("\u201d", '"'),
        ("\u2013", "-"),
        ("\u2014", "-"),
        ("\u2026", "..."),
        ("\u00a0", " "),
        ("á", "a"),
        ("ê", "e"),
        ("ŵ", "w"),
        ("Ł", "L"),
        ("ﬁ", "fi"),
        ("👍", None),
        ("✓", None),
    ],
)
def test_suggested_replacements(character: str, replacement: str | None) -> None:
    assert suggestion(character) == replacement


def test_every_non_gsm_character_is_reported_at_its_position() -> None:
    assert non_gsm_report("It\u2019s your jab \u2013 book 👍 é") == [
        (2, "\u2019", "'"),
        (14, "\u2013", "-"),
        (21, "👍", None),
    ]
