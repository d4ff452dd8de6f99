"""Every form, validated on the server (tested without a browser), with the NHS service
manual's error messages. Each carries a CSRF token (WTForms' ``SessionCSRF``: an HMAC of a
secret in the signed session cookie, with a time limit)."""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from wtforms import StringField

from cohort_http.session_forms import SessionForm
from cohort_nhs.date_input import DATE_PARTS, DateProblem, parse_date


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
    """A send that must happen once (book, cancel, send the answers): the page carries an
    idempotency key, so a double click or a retry of the same page is one send."""

    slot = StringField()
    key = StringField()

    def idempotency_key(self) -> str:
        """The key the page carried; a fresh one if it came without (nothing to repeat)."""
        return (self.key.data or "").strip() or new_key()


def new_key() -> str:
    """An idempotency key for a page that sends once."""
    return uuid.uuid4().hex


class QuestionForm(PatientForm):
    """The answer's fields are read by name (they depend on the question)."""


@dataclass(frozen=True)
class DateAnswer:
    value: date | None
    error: str | None
    #: Which of day, month and year the error is about.
    fields: tuple[str, ...] = ()


def read_date(day: str, month: str, year: str, what: str, *, past: bool = True) -> DateAnswer:
    """A date from the NHS date input's three boxes (``cohort_nhs.date_input``), or what is
    wrong with it; a date a patient gives is in the past, and after 1900."""
    try:
        value = parse_date(day, month, year, what)
    except DateProblem as problem:
        return DateAnswer(None, problem.message, problem.parts)
    if value is None:
        return DateAnswer(None, f"Enter {what}", DATE_PARTS)
    said = what[:1].upper() + what[1:]
    if past and value > date.today():
        return DateAnswer(None, f"{said} must be in the past", DATE_PARTS)
    if value.year < 1900:
        return DateAnswer(None, f"{said} must be after 1900", ("year",))
    return DateAnswer(value, None)
