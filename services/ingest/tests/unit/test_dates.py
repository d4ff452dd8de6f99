from datetime import date

import pytest

from cohort_contracts.vocabulary import UploadReason
from ingest.domain.dates import PartialDate, parse_date_of_birth, parse_fhir_date

TODAY = date(2026, 11, 27)
LEAP_DAY = date(1980, 2, 29)


@pytest.mark.parametrize(
    "raw",
    [
        "29/02/1980",
        "1980-02-29",
        "29-02-1980",
        "29.02.1980",
        "29-Feb-1980",
        "29-FEB-1980",
        "29 Feb 1980",
        "  29/02/1980 ",
    ],
)
def test_accepted_layouts(raw: str) -> None:
    assert parse_date_of_birth(raw, TODAY) == LEAP_DAY


def test_single_digit_day_and_month() -> None:
    assert parse_date_of_birth("1/2/1980", TODAY) == date(1980, 2, 1)


def test_today_is_not_in_the_future() -> None:
    assert parse_date_of_birth("27/11/2026", TODAY) == TODAY


@pytest.mark.parametrize("raw", ["", "   "])
def test_empty_is_missing(raw: str) -> None:
    assert parse_date_of_birth(raw, TODAY) is UploadReason.MISSING_DATE_OF_BIRTH


@pytest.mark.parametrize(
    "raw",
    [
        "29/02/80",  # two-digit year: 1980 or 2080?
        "29-Feb-80",
        "80-02-29",
        "29/02/1981",  # not a leap year
        "31/04/1980",
        "00/01/1980",
        "01/13/1980",
        "29/02-1980",  # mixed separators
        "1980/02/29",
        "29-Foo-1980",
        "28/11/2026",  # tomorrow
        "01/01/2100",
        "01/01/1066",
        "not a date",
        "29021980",
    ],
)
def test_unreadable_impossible_or_future_is_invalid(raw: str) -> None:
    assert parse_date_of_birth(raw, TODAY) is UploadReason.INVALID_DATE_OF_BIRTH


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1980", PartialDate(1980)),
        ("1980-02", PartialDate(1980, 2)),
        ("1980-02-29", PartialDate(1980, 2, 29)),
        ("2010-10-22T00:00:00+00:00", PartialDate(2010, 10, 22)),
    ],
)
def test_fhir_dates_keep_their_precision(value: str, expected: PartialDate) -> None:
    assert parse_fhir_date(value) == expected


@pytest.mark.parametrize("value", ["1980-13", "1981-02-29", "29/02/1980", "", "198"])
def test_unreadable_fhir_dates(value: str) -> None:
    assert parse_fhir_date(value) is None


def test_partial_dates_compare_only_what_they_have() -> None:
    assert PartialDate(1980).matches(LEAP_DAY)
    assert PartialDate(1980, 2).matches(LEAP_DAY)
    assert not PartialDate(1980, 3).matches(LEAP_DAY)
    assert not PartialDate(1981).matches(LEAP_DAY)
    assert PartialDate(2026).on_or_before(TODAY)
    assert PartialDate(2026).on_or_after(TODAY)
    assert PartialDate(2026, 11).on_or_after(TODAY)
    assert not PartialDate(2026, 10).on_or_after(TODAY)
    assert not PartialDate(2026, 11, 28).on_or_before(TODAY)
