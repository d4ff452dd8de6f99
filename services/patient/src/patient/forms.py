"""Every form, validated on the server (tested without a browser), with the NHS service
manual's error messages. Each carries a CSRF token (WTForms' ``SessionCSRF``: an HMAC of a
secret in the signed session cookie, with a time limit)."""

from dataclasses import dataclass
from datetime import date, timedelta

from wtforms import StringField

from cohort_http.session_forms import SessionForm


class PatientForm(SessionForm):
    class Meta:
        csrf_time_limit = timedelta(hours=1)


class ActionForm(PatientForm):
    """A button alone (cancel the appointment, send the answers)."""


class DateOfBirthForm(PatientForm):
    day = StringField()
    month = StringField()
    year = StringField()


class SlotForm(PatientForm):
    slot = StringField()


class BookForm(PatientForm):
    slot = StringField()
    key = StringField()


class QuestionForm(PatientForm):
    """The answer's fields are read by name (they depend on the question)."""


@dataclass(frozen=True)
class DateAnswer:
    value: date | None
    error: str | None
    #: Which of day, month and year the error is about (all when the date as a whole is).
    fields: tuple[str, ...] = ()


def read_date(day: str, month: str, year: str, what: str, *, past: bool = True) -> DateAnswer:
    """A date from the NHS date input's three boxes, or what is wrong with it."""
    parts = {"day": day.strip(), "month": month.strip(), "year": year.strip()}
    missing = tuple(name for name, text in parts.items() if not text)
    if len(missing) == 3:
        return DateAnswer(None, f"Enter {what}", ("day", "month", "year"))
    if missing:
        return DateAnswer(None, f"{what.capitalize()} must include a {missing[0]}", missing)
    if not all(text.isdigit() for text in parts.values()) or len(parts["year"]) != 4:
        bad = tuple(n for n, t in parts.items() if not t.isdigit()) or ("year",)
        return DateAnswer(None, f"{what.capitalize()} must be a real date", bad)
    try:
        value = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        return DateAnswer(
            None, f"{what.capitalize()} must be a real date", ("day", "month", "year")
        )
    if past and value > date.today():
        return DateAnswer(
            None, f"{what.capitalize()} must be in the past", ("day", "month", "year")
        )
    if value.year < 1900:
        return DateAnswer(None, f"{what.capitalize()} must be after 1900", ("year",))
    return DateAnswer(value, None)
