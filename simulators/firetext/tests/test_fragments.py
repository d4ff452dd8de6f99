import pytest

from firetext_sim.fragments import fragment_count, is_gsm, sms_length


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("£@é" * 10, 1),
    ],
)
def test_gsm(text: str, fragments: int) -> None:
    assert is_gsm(text)
    assert fragment_count(text) == fragments


def test_extension_characters_count_double() -> None:
    assert sms_length("€[]{}^~|\\") == 18
    assert fragment_count("€" * 80) == 1
    assert fragment_count("€" * 81) == 2
    assert fragment_count("a" * 159 + "^") == 2


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("ŵ" * 70, 1),
        ("ŵ" * 71, 2),
        ("ŵ" + "a" * 133, 2),
        ("ŵ" + "a" * 134, 3),
    ],
)
def test_ucs2(text: str, fragments: int) -> None:
    assert not is_gsm(text)
    assert fragment_count(text) == fragments


def test_characters_outside_the_bmp_take_two_units() -> None:
    assert sms_length("🙂") == 2
    assert fragment_count("🙂" * 35) == 1
    assert fragment_count("🙂" * 36) == 2


def test_one_non_gsm_character_makes_the_whole_message_ucs2() -> None:
    assert fragment_count("a" * 100) == 1
    assert fragment_count("a" * 99 + "â") == 2
