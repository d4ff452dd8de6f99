"""The NHS date input's three boxes, read as people type them."""

from datetime import date

import pytest

from cohort_nhs.date_input import DateProblem, parse_date, real_date_message

WHAT = "date to send"
NOT_A_REAL_DATE = real_date_message(WHAT)


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        ("9", "12", "2026", date(2026, 12, 9)),
        ("09", "03", "2027", date(2027, 3, 9)),
        (" 1 ", " 1 ", " 2027 ", date(2027, 1, 1)),
        ("29", "2", "2028", date(2028, 2, 29)),  # a leap year
        ("31", "12", "2026", date(2026, 12, 31)),
        ("9", "Dec", "2026", date(2026, 12, 9)),
        ("9", "december", "2026", date(2026, 12, 9)),
        ("9", "Sept", "2027", date(2027, 9, 9)),
    ],
)
def test_the_boxes_make_a_date(day: str, month: str, year: str, expected: date) -> None:
    assert parse_date(day, month, year, WHAT) == expected


def test_three_empty_boxes_are_no_date() -> None:
    assert parse_date("", " ", "", WHAT) is None


@pytest.mark.parametrize(
    ("day", "month", "year", "message", "parts"),
    [
        ("", "12", "2026", "Date to send must include a day", ("day",)),
        ("9", "", "2026", "Date to send must include a month", ("month",)),
        ("9", "12", "", "Date to send must include a year", ("year",)),
        ("", "", "2026", "Date to send must include a day and month", ("day", "month")),
        ("", "12", "", "Date to send must include a day and year", ("day", "year")),
        ("9", " ", "", "Date to send must include a month and year", ("month", "year")),
        # Missing comes first: a box left empty is said before a box that is wrong.
        ("", "13", "2026", "Date to send must include a day", ("day",)),
    ],
)
def test_a_date_with_a_box_left_empty_says_which(
    day: str, month: str, year: str, message: str, parts: tuple[str, ...]
) -> None:
    with pytest.raises(DateProblem) as problem:
        parse_date(day, month, year, WHAT)
    assert (problem.value.message, problem.value.parts) == (message, parts)
    assert str(problem.value) == message  # what WTForms takes as the field's error


@pytest.mark.parametrize(
    ("day", "month", "year", "parts"),
    [
        ("31", "2", "2027", ("day",)),
        ("29", "2", "2027", ("day",)),  # not a leap year
        ("31", "4", "2027", ("day",)),
        ("9", "13", "2027", ("month",)),
        ("9", "0", "2027", ("month",)),
        ("9", "12", "26", ("year",)),  # two digits: 1926 or 2026?
        ("9", "12", "202", ("year",)),
        ("9", "12", "20266", ("year",)),
        ("0", "12", "2026", ("day",)),
        ("32", "12", "2026", ("day",)),
        ("9th", "12", "2026", ("day",)),
        ("-9", "12", "2026", ("day",)),
        ("9", "de", "2026", ("month",)),  # too short to say which month
        ("9", "decembre", "2026", ("month",)),
        ("40", "13", "26", ("day", "month", "year")),
        ("²", "12", "2026", ("day",)),
    ],
)
def test_boxes_that_cannot_be_right_are_not_a_real_date(
    day: str, month: str, year: str, parts: tuple[str, ...]
) -> None:
    with pytest.raises(DateProblem) as problem:
        parse_date(day, month, year, WHAT)
    assert (problem.value.message, problem.value.parts) == (NOT_A_REAL_DATE, parts)


def test_the_message_starts_with_what_the_date_is() -> None:
    with pytest.raises(DateProblem, match=r"^Your date of birth must include a month$"):
        parse_date("14", "", "1950", "your date of birth")
