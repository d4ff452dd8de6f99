"""One question per page: which questions apply (FHIR ``enableWhen``), which comes next, and
checking an answer as the campaign service will (so the patient hears of a problem on the
page, not at the end)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from ..api_client import Question

YES_NO = [("true", "Yes"), ("false", "No")]


def enabled(question: Question, answers: dict[str, list[str]]) -> bool:
    if not question.enable_when:
        return True
    return any(w.code in answers.get(w.link_id, []) for w in question.enable_when)


def applicable(questions: list[Question], answers: dict[str, list[str]]) -> list[Question]:
    return [q for q in questions if enabled(q, answers)]


def next_question(questions: list[Question], answers: dict[str, list[str]]) -> Question | None:
    """The first applicable question not answered yet (None: all answered)."""
    for question in applicable(questions, answers):
        if question.link_id not in answers:
            return question
    return None


def previous(questions: list[Question], answers: dict[str, list[str]], link_id: str) -> str | None:
    shown = [q.link_id for q in applicable(questions, answers)]
    at = shown.index(link_id) if link_id in shown else 0
    return shown[at - 1] if at > 0 else None


def check(question: Question, value: str) -> str | None:
    """What is wrong with an answer (NHS style: how to fix it); None when it is fine."""
    text = value.strip()
    if not text:
        if not question.required:
            return None
        if question.type in ("choice", "boolean"):
            return "Select an answer"
        return "Enter a date" if question.type == "date" else "Enter an answer"
    if question.type == "choice" and text not in {o.code for o in question.options}:
        return "Select an answer"
    if question.type == "boolean" and text not in ("true", "false"):
        return "Select yes or no"
    if question.type in ("integer", "decimal"):
        return _number(question, text)
    if question.type == "date":
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return "The date must be a real date"
        return "The date must be today or in the past" if day > date.today() else None
    if question.max_length is not None and len(text) > question.max_length:
        return f"Answer must be {question.max_length} characters or fewer"
    return None


def _number(question: Question, text: str) -> str | None:
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


def shown(question: Question, value: str) -> str:
    """An answer as the patient reads it back (check your answers)."""
    if question.type == "choice":
        return next((o.display for o in question.options if o.code == value), value)
    if question.type == "boolean":
        return dict(YES_NO).get(value, value)
    if question.type == "date":
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return value
        return f"{day.day} {day:%B %Y}"
    if question.unit and question.type in ("integer", "decimal"):
        return f"{value} {question.unit}"
    return value
