"""A date as the NHS date input asks for it: Day, Month and Year boxes, each typed freely.

The error messages follow the NHS service manual and GOV.UK's guidance for date inputs ("Date
of birth must include a month", "... must be a real date"), and each problem names the boxes
to mark. Whether a date is needed at all, and whether it must be in the past or the future,
is the asking page's to say."""

import re
from datetime import date

DATE_PARTS = ("day", "month", "year")

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


class DateProblem(ValueError):
    """The boxes do not make a date: ``message`` says why, ``parts`` are the boxes to mark
    (``day``, ``month``, ``year``)."""

    def __init__(self, message: str, parts: tuple[str, ...]) -> None:
        super().__init__(message)
        self.message = message
        self.parts = parts


def real_date_message(what: str) -> str:
    return f"{_sentence(what)} must be a real date"


def parse_date(day: str, month: str, year: str, what: str) -> date | None:
    """The date in the boxes; None when all three are empty. ``what`` names the date in the
    messages ("date of birth", "date to send").

    Raises ``DateProblem``: a box left empty ("must include a day and month"), else a box that
    cannot be right (month 13, a two-digit year) or a day the month does not have ("must be a
    real date")."""
    typed = dict(zip(DATE_PARTS, (day.strip(), month.strip(), year.strip()), strict=True))
    missing = tuple(part for part in DATE_PARTS if not typed[part])
    if len(missing) == len(DATE_PARTS):
        return None
    if missing:
        raise DateProblem(f"{_sentence(what)} must include a {' and '.join(missing)}", missing)
    numbers = [_part_number(part, typed[part]) for part in DATE_PARTS]
    wrong = tuple(part for part, number in zip(DATE_PARTS, numbers, strict=True) if number is None)
    if wrong:
        raise DateProblem(real_date_message(what), wrong)
    day_number, month_number, year_number = (number for number in numbers if number is not None)
    try:
        return date(year_number, month_number, day_number)
    except ValueError:
        # Each box makes sense alone, so it is a day the month does not have (31 April, 29
        # February in a year that is not a leap year): the day is what to change.
        raise DateProblem(real_date_message(what), ("day",)) from None


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


def _sentence(what: str) -> str:
    """``what`` to start a sentence: "your date of birth" -> "Your date of birth"."""
    return what[:1].upper() + what[1:]
