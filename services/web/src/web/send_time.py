"""When to send, as staff type it on the review page: a date in Day, Month and Year boxes (the
NHS date input) and a time of day as people write it ("9:30am", "14:00"), both UK time.

Pure functions, no WTForms: the send form (``forms.py``) puts the problems they find on its
fields. Each problem is a ``ValueError`` whose message is the one staff read, following the
NHS and GOV.UK guidance for date inputs."""

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from cohort_nhs.date_input import DATE_PARTS, DateProblem, real_date_message
from cohort_nhs.date_input import parse_date as parse_date_boxes

__all__ = ["DATE_PARTS", "DateProblem", "parse_date", "parse_time", "uk_time_in_utc"]

LONDON = ZoneInfo("Europe/London")

WHAT = "date to send"
NOT_A_REAL_DATE = real_date_message(WHAT)
NO_DATE = "Enter the date to send"
NO_TIME = "Enter a time to send"
NOT_A_TIME = "Enter a time like 9:30am or 14:00"

# "9:30am", "9.30am", "9am", "9:30 AM"; the hour 1 to 12.
_TWELVE_HOUR = re.compile(r"(?P<hour>[0-9]{1,2})(?:[:.](?P<minute>[0-9]{2}))? ?(?P<half>am|pm)")
# "09:30", "14:00", "9:30", "14.00"; the hour 0 to 23. Minutes are needed: "14" alone could be
# a slip, and "9" alone could be morning or evening.
_TWENTY_FOUR_HOUR = re.compile(r"(?P<hour>[0-9]{1,2})[:.](?P<minute>[0-9]{2})")


def parse_date(day: str, month: str, year: str) -> date | None:
    """The date in the boxes (the NHS date input, ``cohort_nhs.date_input``); None when all
    three are empty (send now). Raises ``DateProblem``."""
    return parse_date_boxes(day, month, year, WHAT)


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
