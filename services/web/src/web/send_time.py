"""When to send, as staff type it on the review page: a date in Day, Month and Year boxes (the
NHS date input) and a time of day as people write it ("9:30am", "14:00"), both UK time.

Pure functions, no WTForms: the send form (``forms.py``) puts the problems they find on its
fields. Each problem is a ``ValueError`` whose message is the one staff read, following the
NHS and GOV.UK guidance for date inputs."""

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

DATE_PARTS = ("day", "month", "year")
WHAT = "Date to send"
NOT_A_REAL_DATE = f"{WHAT} must be a real date"
NO_DATE = "Enter the date to send"
NO_TIME = "Enter a time to send"
NOT_A_TIME = "Enter a time like 9:30am or 14:00"

# ASCII digits only: str.isdigit() would take "²" or Arabic-Indic digits.
_NUMBER = re.compile(r"[0-9]+")
_YEAR = re.compile(r"[0-9]{4}")
# People type months as words too (GOV.UK asks services to accept them): "March", "mar".
# Any start of the name from three letters on is taken ("sept", "decem").
_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
# "9:30am", "9.30am", "9am", "9:30 AM"; the hour 1 to 12.
_TWELVE_HOUR = re.compile(r"(?P<hour>[0-9]{1,2})(?:[:.](?P<minute>[0-9]{2}))? ?(?P<half>am|pm)")
# "09:30", "14:00", "9:30", "14.00"; the hour 0 to 23. Minutes are needed: "14" alone could be
# a slip, and "9" alone could be morning or evening.
_TWENTY_FOUR_HOUR = re.compile(r"(?P<hour>[0-9]{1,2})[:.](?P<minute>[0-9]{2})")


class DateProblem(ValueError):
    """The boxes do not make a date: ``message`` says why, ``parts`` are the boxes to mark
    (``day``, ``month``, ``year``), or none when the date as a whole is wrong."""

    def __init__(self, message: str, parts: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.parts = parts


def parse_date(day: str, month: str, year: str) -> date | None:
    """The date in the boxes; None when all three are empty (send now).

    Raises ``DateProblem``: a box left empty ("must include a day and month"), else a box that
    cannot be right (month 13, a two-digit year) or a day the month does not have ("must be a
    real date")."""
    typed = dict(zip(DATE_PARTS, (day.strip(), month.strip(), year.strip()), strict=True))
    missing = tuple(part for part in DATE_PARTS if not typed[part])
    if len(missing) == len(DATE_PARTS):
        return None
    if missing:
        raise DateProblem(f"{WHAT} must include a {' and '.join(missing)}", missing)
    numbers = [_part_number(part, typed[part]) for part in DATE_PARTS]
    wrong = tuple(part for part, number in zip(DATE_PARTS, numbers, strict=True) if number is None)
    if wrong:
        raise DateProblem(NOT_A_REAL_DATE, wrong)
    day_number, month_number, year_number = (number for number in numbers if number is not None)
    try:
        return date(year_number, month_number, day_number)
    except ValueError:
        # Each box makes sense alone, so it is a day the month does not have (31 April, 29
        # February in a year that is not a leap year): the day is what to change.
        raise DateProblem(NOT_A_REAL_DATE, ("day",)) from None


def _part_number(part: str, text: str) -> int | None:
    """The box's number if it can be right for that box, else None."""
    if part == "month":
        word = text.lower()
        for number, name in enumerate(_MONTHS, start=1):
            if len(word) >= 3 and name.startswith(word):
                return number
    if part == "year":
        return int(text) if _YEAR.fullmatch(text) else None
    if not _NUMBER.fullmatch(text):
        return None
    number = int(text)
    return number if 1 <= number <= (31 if part == "day" else 12) else None


def parse_time(text: str) -> time | None:
    """The time of day typed, or None when nothing was typed.

    Takes the 12-hour clock with "am" or "pm" ("9:30am", "9.30am", "9am", "2pm"; "12pm" is
    noon and "12am" midnight) and the 24-hour clock ("09:30", "14:00"), in any case, with a
    space before "am" or "pm" or not. Raises ``ValueError`` (``NOT_A_TIME``) for anything else.
    """
    text = text.strip().lower()
    if not text:
        return None
    if match := _TWELVE_HOUR.fullmatch(text):
        hour, minute = int(match["hour"]), int(match["minute"] or 0)
        if 1 <= hour <= 12 and minute <= 59:
            return time(hour % 12 + (12 if match["half"] == "pm" else 0), minute)
    elif match := _TWENTY_FOUR_HOUR.fullmatch(text):
        hour, minute = int(match["hour"]), int(match["minute"])
        if hour <= 23 and minute <= 59:
            return time(hour, minute)
    raise ValueError(NOT_A_TIME)


def uk_time_in_utc(day: date, at: time) -> datetime:
    """``at`` on ``day`` in the UK, what staff mean, in UTC.

    Twice a year a UK time is not one instant, and zoneinfo (fold=0) decides:
    - the night the clocks go back, 1am to 2am happens twice; this is the first time, still
      summer time (1:30am is 00:30 UTC);
    - the night they go forward, 1am to 2am does not happen; such a time is read with the
      offset before the change (1:30am is 01:30 UTC, which is 2:30am summer time).
    Both are at night, when texts wait for the morning anyway."""
    return datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)
