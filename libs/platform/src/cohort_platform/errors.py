"""What a log line may say about an exception: its type and a message with patient data removed.

An operator needs more than "RejectMessage" to act on a failed handler, but exception messages
can quote their input: a pydantic ``ValidationError`` repeats the offending value, a MongoDB
duplicate-key error repeats the key (an NHS number), an SMTP error the address. So a message is
logged only after every run of digits long enough to be an identifier, every e-mail address, date
and quoted value is masked, and only its start is kept (DESIGN §4)."""

import re

from pydantic import ValidationError

#: Six or more digits, allowing the spaces and hyphens people and systems put in NHS and phone
#: numbers ("943 476 5919", "+44 7700-900123"). Shorter runs (codes, counts, ports) stay.
_DIGITS = re.compile(r"\+?\d(?:[\s-]?\d){5,}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: Dates as a list or a person writes them (a date of birth: "23/07/1961", "23.7.1961") and as
#: Python prints one inside a message ("date(1961, 7, 23)"); an ISO date is a run of digits.
#: A four-digit year keeps addresses and versions ("10.0.0.1", "3.10.5") out of it.
_DATE = re.compile(r"\b\d{1,2}[/.]\d{1,2}[/.]\d{4}\b|\b\d{4}, \d{1,2}, \d{1,2}\b")
#: Values quoted in messages ('Smith', "Ann"): names and free text travel quoted.
_QUOTED = re.compile(r"""(['"])(?:(?!\1).){1,200}\1""")
MAX_MESSAGE = 300


def scrub(text: str) -> str:
    text = _EMAIL.sub("<email>", text)
    text = _DATE.sub("<date>", text)
    text = _QUOTED.sub(r"\1…\1", text)
    text = _DIGITS.sub("<digits>", text)
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def _validation_summary(exc: ValidationError) -> str:
    # Locations and error types only: include_input=False drops the rejected values.
    errors = exc.errors(include_input=False, include_url=False, include_context=False)
    shown = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['type']}" for e in errors[:5])
    return f"{exc.error_count()} validation error(s) in {exc.title}: {shown}"


def describe(exc: BaseException) -> dict[str, str]:
    """``error`` (the type) and ``error_message`` (safe to log) for a structured log line. The
    cause is described when ``exc`` only wraps it (``raise RejectMessage(...) from exc``)."""
    if exc.__cause__ is not None and type(exc).__module__.startswith("faststream"):
        exc = exc.__cause__
    if isinstance(exc, ValidationError):
        message = _validation_summary(exc)
    else:
        message = scrub(str(exc))
        code = getattr(exc, "code", None)
        if isinstance(code, int):
            message = f"[code {code}] {message}"
    return {"error": type(exc).__name__, "error_message": message}
