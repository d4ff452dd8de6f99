"""One question per page: which questions apply (FHIR ``enableWhen``), which comes next, and
checking an answer as the campaign service will (so the patient hears of a problem on the
page, not at the end)."""

from cohort_questionnaire import check_value, missing

from ..api_views import Question

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
    """What is wrong with an answer (NHS style: how to fix it); None when it is fine. The same
    rules campaign applies when the questionnaire is submitted (``cohort_questionnaire``)."""
    return check_value(question, value) if value.strip() else missing(question)
