"""SMS fragments and the non-GSM characters that cost more of them."""

import pytest

from campaign.domain.fragments import non_gsm_report, sms_fragments, sms_length, suggestion


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # extension characters count double: 160
        ("€" * 81, 2),
        ("ŵ" * 70, 1),  # Welsh w-circumflex is not GSM: UCS-2
        ("ŵ" * 71, 2),
        ("ŵ" * 134, 2),
        ("ŵ" * 135, 3),
    ],
)
def test_fragments_as_firetext_bills_them(text: str, fragments: int) -> None:
    assert sms_fragments(text) == fragments


def test_an_emoji_is_two_utf16_units() -> None:
    assert sms_length("hi 👍") == 5


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
