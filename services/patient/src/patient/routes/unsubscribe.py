"""An email's unsubscribe link: a page that asks, then stops the emails. Following the link
changes nothing (mail scanners open every link); only the button does. Mail clients' one-click
unsubscribe (RFC 8058) goes straight to the gateway's endpoint instead."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from cohort_http.session_forms import make_form, posted_form

from ..forms import PatientForm
from .common import api, render

router = APIRouter()
Token = Annotated[
    str, Path(pattern=r"^[A-Z0-9]{3,10}\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+$", max_length=200)
]


@router.get("/u/{token}")
async def ask(request: Request, token: Token) -> Response:
    form = make_form(request, PatientForm)
    return render(request, "unsubscribe/ask.html", {"token": token, "form": form})


@router.post("/u/{token}")
async def unsubscribe(request: Request, token: Token) -> Response:
    await posted_form(request, PatientForm)
    practice = await api(request).unsubscribe(token)
    return render(request, "unsubscribe/done.html", {"practice": practice})
