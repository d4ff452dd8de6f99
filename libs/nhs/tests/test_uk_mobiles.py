"""What may be texted: UK mobiles (the drama range too) in every form PDS and staff write them."""

import pytest

from cohort_nhs import national_mobile, uk_mobile


@pytest.mark.parametrize(
    "raw",
    ["07700900123", "07700 900123", "+447700900123", "+44 7700 900123", "00447700900123"],
)
def test_drama_range_mobile_in_every_form(raw: str) -> None:
    # phonenumbers calls 07700 900xxx invalid; it is Ofcom's fictional mobile range.
    assert uk_mobile(raw) == "447700900123"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("07400 123456", "447400123456"),
        ("+44 7400 123456", "447400123456"),
        ("0044 7400 123456", "447400123456"),
        ("07911 123456", "447911123456"),  # phonenumbers: Guernsey range, still +44 mobile
        ("07624 123456", "447624123456"),  # Isle of Man
    ],
)
def test_real_mobile_ranges(raw: str, expected: str) -> None:
    assert uk_mobile(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "01632960587",  # landline
        "020 7946 0000",  # London landline
        "07000 123456",  # personal number, not a mobile
        "00917855986859",  # an Indian mobile (the PDS sandbox's only mobile)
        "+33 6 12 34 56 78",  # a French mobile
        "0770090012",  # too short
        "not a number",
        "",
    ],
)
def test_anything_else_is_not_a_uk_mobile(raw: str) -> None:
    assert uk_mobile(raw) is None


@pytest.mark.parametrize(
    ("stored", "written"),
    [("447700900123", "07700 900123"), ("447911123456", "07911 123456")],
)
def test_a_stored_mobile_is_written_back_as_people_in_the_uk_write_it(
    stored: str, written: str
) -> None:
    assert national_mobile(stored) == written
    assert uk_mobile(written) == stored


@pytest.mark.parametrize(
    "other", ["ann@example.com", "441632960587", "33612345678", "4477009001234", "44770090012x"]
)
def test_anything_else_is_not_a_stored_uk_mobile(other: str) -> None:
    # A landline, another country's number, a wrong length: the caller shows it as it is.
    assert national_mobile(other) is None
