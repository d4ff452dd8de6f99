"""Every rule an answer meets, with the words the patient reads when it does not."""

from dataclasses import dataclass
from datetime import date

import pytest

from cohort_questionnaire import check_value, missing


@dataclass(frozen=True)
class Code:
    code: str
    display: str = ""


@dataclass(frozen=True)
class Q:
    type: str
    required: bool = True
    options: tuple[Code, ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    max_length: int | None = None
    unit: str | None = None


TODAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("question", "value", "problem"),
    [
        (Q("choice", options=(Code("a"), Code("b"))), "b", None),
        (Q("choice", options=(Code("a"),)), "c", "Select an answer"),
        (Q("boolean"), " true ", None),
        (Q("boolean"), "yes", "Select yes or no"),
        (Q("integer", min_value=0, max_value=100), "12", None),
        (
            Q("integer", min_value=0, max_value=100),
            "12.5",
            "Enter a whole number between 0 and 100",
        ),
        (Q("integer", min_value=0, max_value=100), "101", "Enter a whole number between 0 and 100"),
        (Q("integer", min_value=0, max_value=100), "-1", "Enter a whole number between 0 and 100"),
        (Q("integer"), "NaN", "Enter a whole number"),
        (Q("integer"), "Infinity", "Enter a whole number"),
        (Q("decimal", min_value=1.5), "1.4", "Enter a number"),
        (Q("decimal", min_value=1.5, max_value=3), "2.25", None),
        (Q("decimal"), "twelve", "Enter a number"),
        (Q("date"), "2026-12-06", None),
        (Q("date"), "2026-12-07", "The date must be today or in the past"),
        (Q("date"), "2026-02-30", "The date must be a real date"),
        (Q("string", max_length=5), "12345", None),
        (Q("string", max_length=5), "123456", "Answer must be 5 characters or fewer"),
        (Q("text"), "x" * 10_000, None),
    ],
)
def test_an_answer_is_checked_by_its_question_type(
    question: Q, value: str, problem: str | None
) -> None:
    assert check_value(question, value, today=TODAY) == problem


@pytest.mark.parametrize(
    ("question", "problem"),
    [
        (Q("choice"), "Select an answer"),
        (Q("boolean"), "Select an answer"),
        (Q("date"), "Enter a date"),
        (Q("integer"), "Enter an answer"),
        (Q("text", required=False), None),
    ],
)
def test_a_blank_answer_is_a_problem_only_when_the_question_is_required(
    question: Q, problem: str | None
) -> None:
    assert missing(question) == problem
