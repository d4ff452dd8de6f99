"""Reading when to send as staff type it: the date boxes, the time of day, UK time in UTC."""

from datetime import UTC, date, datetime, time

import pytest

from web.send_time import (
    NOT_A_REAL_DATE,
    NOT_A_TIME,
    DateProblem,
    parse_date,
    parse_time,
    uk_time_in_utc,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("9:30am", time(9, 30)),
        ("9.30am", time(9, 30)),
        ("9am", time(9, 0)),
        ("09:30", time(9, 30)),
        ("9:30", time(9, 30)),
        ("14:00", time(14, 0)),
        ("14.00", time(14, 0)),
        ("00:15", time(0, 15)),
        ("23:59", time(23, 59)),
        ("2pm", time(14, 0)),
        ("2:45pm", time(14, 45)),
        ("12pm", time(12, 0)),  # noon
        ("12:30pm", time(12, 30)),
        ("12am", time(0, 0)),  # midnight
        ("12:30am", time(0, 30)),
        ("11:59pm", time(23, 59)),
        ("9:30AM", time(9, 30)),
        ("9:30 am", time(9, 30)),
        ("  2pm  ", time(14, 0)),
    ],
)
def test_a_time_typed_as_people_write_it_is_understood(typed: str, expected: time) -> None:
    assert parse_time(typed) == expected


@pytest.mark.parametrize("typed", ["", "   "])
def test_no_time_is_none(typed: str) -> None:
    assert parse_time(typed) is None


@pytest.mark.parametrize(
    "typed",
    [
        "9",  # morning or evening?
        "14",
        "930",
        "0930",
        "9:5",
        "9:300",
        "24:00",
        "25:00",
        "9:60",
        "13pm",
        "0am",
        "00:30am",
        "9:60am",
        "9 30",
        "9-30",
        "9:30a.m.",
        "9:30  am",
        "9:30ampm",
        "half nine",
        "noon",
        "9:30 tomorrow",
        "٩:٣٠",  # digits, but not ASCII ones
        "-1:00",
    ],
)
def test_anything_else_is_not_a_time(typed: str) -> None:
    with pytest.raises(ValueError, match=f"^{NOT_A_TIME}$"):
        parse_time(typed)


def test_the_date_boxes_speak_of_the_date_to_send() -> None:
    """The boxes are read as every NHS date input is (``cohort_nhs.date_input``, tested
    there); here, in the send page's words."""
    assert parse_date("9", "Dec", "2026") == date(2026, 12, 9)
    assert parse_date("", "", "") is None
    with pytest.raises(DateProblem) as problem:
        parse_date("", "", "2026")
    assert (problem.value.message, problem.value.parts) == (
        "Date to send must include a day and month",
        ("day", "month"),
    )
    with pytest.raises(DateProblem, match=f"^{NOT_A_REAL_DATE}$"):
        parse_date("31", "2", "2027")
    assert NOT_A_REAL_DATE == "Date to send must be a real date"


def test_uk_time_is_utc_in_winter_and_an_hour_ahead_in_summer() -> None:
    assert uk_time_in_utc(date(2026, 12, 9), time(9, 30)) == datetime(
        2026, 12, 9, 9, 30, tzinfo=UTC
    )
    assert uk_time_in_utc(date(2027, 7, 1), time(9, 30)) == datetime(2027, 7, 1, 8, 30, tzinfo=UTC)


def test_the_hour_that_happens_twice_when_the_clocks_go_back_is_the_first() -> None:
    # 31 October 2027: 2am summer time becomes 1am winter time, so 1:30am happens twice.
    first = uk_time_in_utc(date(2027, 10, 31), time(1, 30))
    assert first == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # still summer time
    assert uk_time_in_utc(date(2027, 10, 31), time(2, 30)) == datetime(
        2027, 10, 31, 2, 30, tzinfo=UTC
    )


def test_the_hour_skipped_when_the_clocks_go_forward_is_read_as_before_the_change() -> None:
    # 28 March 2027: 1am winter time becomes 2am summer time; 1:30am does not happen there.
    skipped = uk_time_in_utc(date(2027, 3, 28), time(1, 30))
    assert skipped == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)  # 2:30am summer time
    assert uk_time_in_utc(date(2027, 3, 28), time(0, 30)) == datetime(
        2027, 3, 28, 0, 30, tzinfo=UTC
    )
    assert uk_time_in_utc(date(2027, 3, 28), time(2, 30)) == datetime(
        2027, 3, 28, 1, 30, tzinfo=UTC
    )
