"""Opening the link: what it is for and who sent it, then the date of birth. Nothing personal
is shown before the patient has confirmed it (the link may have been forwarded)."""

import time
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from cohort_http.session_forms import make_form, posted_form, see_other

from .. import session
from ..api_client import LinkLocked, TooSoon, WrongAnswer
from ..api_views import Link
from ..forms import DateOfBirthForm, read_date
from .common import api, link_url, render

router = APIRouter()
Token = Annotated[
    str, Path(pattern=r"^[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+$", max_length=500)
]


def next_page(token: str, link: Link | str) -> str:
    kind = link if isinstance(link, str) else link.type
    return link_url(token, "/questions" if kind == "questionnaire" else "/appointment")


def _page(
    request: Request,
    token: str,
    link: Link,
    form: DateOfBirthForm,
    errors: list[dict[str, str]] | None = None,
    fields: tuple[str, ...] = (),
    status: int = 200,
) -> Response:
    context = {
        "token": token,
        "link": link,
        "practice": link.practice,
        "form": form,
        "errors": errors or [],
        "error_fields": fields,
        "ended": request.query_params.get("ended") == "1",
    }
    return render(request, "start.html", context, status)


@router.get("/l/{token}")
async def start(request: Request, token: Token) -> Response:
    link = await api(request).open(token)
    if link.locked:
        return render(request, "errors/locked.html", {"practice": link.practice}, 423)
    if session.get(request.session, token) is not None:
        return see_other(next_page(token, link))
    return _page(request, token, link, make_form(request, DateOfBirthForm))


@router.post("/l/{token}")
async def confirm(request: Request, token: Token) -> Response:
    form = await posted_form(request, DateOfBirthForm)
    client = api(request)
    link = await client.open(token)
    answer = read_date(
        form.day.data or "", form.month.data or "", form.year.data or "", "your date of birth"
    )
    if answer.value is None:
        message = answer.error or "Enter your date of birth"
        errors = [{"text": message, "href": f"#dob-{answer.fields[0] if answer.fields else 'day'}"}]
        return _page(request, token, link, form, errors, answer.fields, 400)
    try:
        verified = await client.verify(token, answer.value)
    except WrongAnswer as wrong:
        left = wrong.attempts_left
        tries = f"{left} more {'try' if left == 1 else 'tries'}"
        message = (
            "The date of birth does not match our records. Check it and try again "
            f"({tries} before this link is locked)"
        )
        return _page(
            request,
            token,
            link,
            form,
            [{"text": message, "href": "#dob-day"}],
            ("day", "month", "year"),
            400,
        )
    except TooSoon as soon:
        message = f"Wait {soon.retry_after_s} seconds before trying again"
        return _page(request, token, link, form, [{"text": message, "href": "#dob-day"}], (), 429)
    except LinkLocked:
        return render(request, "errors/locked.html", {"practice": link.practice}, 423)
    state = session.LinkState(
        session=verified.session,
        until=verified.expires_at.timestamp(),
        given_name=verified.given_name,
    )
    state.until = min(state.until, time.time() + 24 * 3600)
    session.put(request.session, token, state)
    return see_other(next_page(token, link))
