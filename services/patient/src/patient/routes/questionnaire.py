"""The questionnaire: one question per page (only those that apply, given the answers so far),
then "Check your answers" with a change link for each, then sending them, once. The answers
wait in the session cookie until they are sent."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from cohort_http.page_apps import Elsewhere
from cohort_http.session_forms import make_form, posted_form, see_other
from cohort_questionnaire import answer_text

from .. import session
from ..api_views import Question, Questionnaire
from ..forms import BookForm, QuestionForm, new_key, read_date
from ..pages.questions import YES_NO, applicable, check, next_question, previous
from .common import api, link_state, link_url, render
from .start import Token

router = APIRouter()
LinkId = Annotated[str, Path(pattern=r"^[a-z0-9\-]{1,100}$")]


async def _questionnaire(request: Request, token: str) -> tuple[session.LinkState, Questionnaire]:
    state = link_state(request, token)
    return state, await api(request).questionnaire(token, state.session)


async def _unsent(request: Request, token: str) -> tuple[session.LinkState, Questionnaire]:
    """The questionnaire, for a page that asks or checks the answers; once they are sent, the
    page goes to the one that says so instead."""
    state, found = await _questionnaire(request, token)
    if found.response is not None:
        raise Elsewhere(link_url(token, "/questions/done"))
    return state, found


def _context(token: str, found: Questionnaire, **more: object) -> dict[str, object]:
    """What every questionnaire page shows: the link, the questionnaire and the practice."""
    return {"token": token, "found": found, "practice": found.practice, **more}


def _answers(state: session.LinkState, found: Questionnaire) -> dict[str, list[str]]:
    """The answers kept, dropping any to questions that no longer apply."""
    questions = found.questionnaire.questions
    kept = {q.link_id for q in applicable(questions, state.answers)}
    return {k: v for k, v in state.answers.items() if k in kept}


def _onward(token: str, state: session.LinkState, found: Questionnaire) -> Response:
    """The first question still to answer, given the answers so far; once none is left, the
    answers to check."""
    following = next_question(found.questionnaire.questions, _answers(state, found))
    if following is None:
        return see_other(link_url(token, "/questions/check"))
    return see_other(link_url(token, f"/questions/{following.link_id}"))


@router.get("/l/{token}/questions")
async def questions(request: Request, token: Token) -> Response:
    state, found = await _unsent(request, token)
    return _onward(token, state, found)


def _question_page(
    request: Request,
    token: str,
    found: Questionnaire,
    question: Question,
    values: dict[str, str],
    error: str | None = None,
    error_field: str = "answer",
    status: int = 200,
) -> Response:
    state = link_state(request, token)
    questions = found.questionnaire.questions
    shown_now = applicable(questions, _answers(state, found))
    number = next((i for i, q in enumerate(shown_now, 1) if q.link_id == question.link_id), 1)
    back_to = previous(questions, _answers(state, found), question.link_id)
    context = _context(
        token,
        found,
        question=question,
        number=number,
        total=len(shown_now),
        values=values,
        yes_no=YES_NO,
        form=make_form(request, QuestionForm),
        errors=[{"text": error, "href": f"#{error_field}"}] if error else [],
        error=error,
        back=link_url(token, f"/questions/{back_to}") if back_to else None,
        changing=request.query_params.get("change") == "1",
    )
    return render(request, "questionnaire/question.html", context, status)


def _find(found: Questionnaire, link_id: str) -> Question | None:
    return next((q for q in found.questionnaire.questions if q.link_id == link_id), None)


@router.get("/l/{token}/questions/check")
async def check_page(request: Request, token: Token) -> Response:
    state, found = await _unsent(request, token)
    answers = _answers(state, found)
    if next_question(found.questionnaire.questions, answers) is not None:
        return see_other(link_url(token, "/questions"))
    rows = [
        {
            "question": q,
            "answer": ", ".join(answer_text(q, v) for v in answers.get(q.link_id, []))
            or "Not answered",
        }
        for q in applicable(found.questionnaire.questions, answers)
    ]
    form = make_form(request, BookForm, key=new_key())
    return render(request, "questionnaire/check.html", _context(token, found, rows=rows, form=form))


@router.post("/l/{token}/questions/check")
async def send(request: Request, token: Token) -> Response:
    form = await posted_form(request, BookForm)
    state, found = await _questionnaire(request, token)
    if found.response is None:
        answers = {k: v for k, v in _answers(state, found).items() if v}
        key = form.idempotency_key()
        await api(request).answer(token, state.session, answers, key)
    state.answers = {}
    session.put(request.session, token, state)
    return see_other(link_url(token, "/questions/done"))


@router.get("/l/{token}/questions/done")
async def done(request: Request, token: Token) -> Response:
    _, found = await _questionnaire(request, token)
    if found.response is None:
        return see_other(link_url(token, "/questions"))
    return render(request, "questionnaire/done.html", _context(token, found))


@router.get("/l/{token}/questions/{link_id}")
async def question(request: Request, token: Token, link_id: LinkId) -> Response:
    state, found = await _unsent(request, token)
    asked = _find(found, link_id)
    if asked is None:
        return see_other(link_url(token, "/questions"))
    given = state.answers.get(link_id, [""])[0]
    values = {"answer": given}
    if asked.type == "date" and given:
        year, month, day = [*given.split("-"), "", "", ""][:3]
        values |= {"day": day, "month": month, "year": year}
    return _question_page(request, token, found, asked, values)


def _read(asked: Question, data: FormData) -> tuple[str, str | None, str, dict[str, str]]:
    """(value, problem, field in error, what to show again) from the posted form."""
    if asked.type == "date":
        parts = {k: str(data.get(k, "")) for k in ("day", "month", "year")}
        if not any(parts.values()) and not asked.required:
            return "", None, "day", parts
        answer = read_date(parts["day"], parts["month"], parts["year"], "the date")
        if answer.value is None:
            return "", answer.error, answer.fields[0] if answer.fields else "day", parts
        value = answer.value.isoformat()
        return value, check(asked, value), "day", parts
    value = str(data.get("answer", "")).strip()
    return value, check(asked, value), "answer", {"answer": value}


@router.post("/l/{token}/questions/{link_id}")
async def answer(request: Request, token: Token, link_id: LinkId) -> Response:
    await posted_form(request, QuestionForm)
    state, found = await _questionnaire(request, token)
    asked = _find(found, link_id)
    if asked is None or found.response is not None:
        return see_other(link_url(token, "/questions"))
    value, problem, field, values = _read(asked, await request.form())
    if problem is not None:
        return _question_page(request, token, found, asked, values, problem, field, 400)
    # An optional question left empty is answered too (with nothing), so it is not asked again.
    state.answers[link_id] = [value] if value else []
    session.put(request.session, token, state)
    if request.query_params.get("change") == "1":
        return _onward(token, state, found)
    return see_other(link_url(token, "/questions"))
