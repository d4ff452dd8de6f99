"""What is wrong with a patient's answer to one question, in the words the patient reads.

The patient's pages check each answer as it is given, so a problem is shown on its page; the
campaign service checks every answer again when the questionnaire is submitted, because it is
the one that keeps them. Both ask this module, so the two can never disagree. It knows only
the shape of a question (``QuestionRules``), not either service's model of one."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Protocol

__all__ = ["BOOLEAN_CODES", "QuestionRules", "answer_text", "check_value", "missing"]

#: The codes a yes/no (FHIR ``boolean``) question is answered with, and how they read.
YES_NO = {"true": "Yes", "false": "No"}
BOOLEAN_CODES = frozenset(YES_NO)


class HasCode(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def display(self) -> str: ...


class QuestionRules(Protocol):
    """The parts of a question (FHIR ``Questionnaire.item``) that decide what may answer it."""

    @property
    def type(self) -> str: ...
    @property
    def required(self) -> bool: ...
    @property
    def options(self) -> Sequence[HasCode]: ...
    @property
    def min_value(self) -> float | None: ...
    @property
    def max_value(self) -> float | None: ...
    @property
    def max_length(self) -> int | None: ...
    @property
    def unit(self) -> str | None: ...


def missing(question: QuestionRules) -> str | None:
    """What to say when the question was left blank; None when it may be."""
    if not question.required:
        return None
    if question.type in ("choice", "boolean"):
        return "Select an answer"
    return "Enter a date" if question.type == "date" else "Enter an answer"


def check_value(question: QuestionRules, value: str, *, today: date | None = None) -> str | None:
    """What is wrong with a given (not blank) answer, NHS style: how to put it right. None when
    it is fine."""
    text = value.strip()
    if question.type == "choice":
        return None if text in {o.code for o in question.options} else "Select an answer"
    if question.type == "boolean":
        return None if text in BOOLEAN_CODES else "Select yes or no"
    if question.type in ("integer", "decimal"):
        return _check_number(question, text)
    if question.type == "date":
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return "The date must be a real date"
        if day > (today or date.today()):
            return "The date must be today or in the past"
        return None
    if question.max_length is not None and len(text) > question.max_length:
        return f"Answer must be {question.max_length} characters or fewer"
    return None


def _check_number(question: QuestionRules, text: str) -> str | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal("NaN")
    whole = question.type == "integer"
    low, high = question.min_value, question.max_value
    between = f" between {low:g} and {high:g}" if low is not None and high is not None else ""
    wanted = ("Enter a whole number" if whole else "Enter a number") + between
    if not number.is_finite() or (whole and number != number.to_integral_value()):
        return wanted
    if low is not None and number < Decimal(str(low)):
        return wanted
    if high is not None and number > Decimal(str(high)):
        return wanted
    return None


def answer_text(question: QuestionRules, value: str) -> str:
    """An answer as people read it: the option's words, Yes or No, a date written out, a number
    with its unit; anything it cannot read is shown as it came."""
    if question.type == "choice":
        return next((o.display for o in question.options if o.code == value), value)
    if question.type == "boolean":
        return YES_NO.get(value, value)
    if question.type == "date":
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return value
        return f"{day.day} {day:%B %Y}"
    if question.unit and question.type in ("integer", "decimal"):
        return f"{value} {question.unit}"
    return value
