"""What every route needs: the gateway client for this patient, the link's state in the
session cookie, forms with CSRF, and rendering."""

from typing import Any, TypeVar, cast

import httpx2
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from .. import session
from ..api_client import GatewayClient, ServiceToken
from ..config import PatientSettings
from ..forms import PatientForm

F = TypeVar("F", bound=PatientForm)


class CsrfFailed(Exception):
    """The form's token is missing, forged or too old: the page has expired."""


class NeedsDateOfBirth(Exception):
    """No session for this link (or it ended): back to the date of birth."""

    def __init__(self, token: str) -> None:
        super().__init__("session")
        self.token = token


def settings_of(request: Request) -> PatientSettings:
    return cast(PatientSettings, request.app.state.settings)


def client_address(request: Request) -> str:
    if settings_of(request).trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for", "").split(",")[0].strip()
        if forwarded:
            return forwarded
    return request.client.host if request.client is not None else "unknown"


def api(request: Request) -> GatewayClient:
    http = cast(httpx2.AsyncClient, request.app.state.http)
    token = cast(ServiceToken, request.app.state.service_token)
    return GatewayClient(http, token, client_address(request))


def link_state(request: Request, token: str) -> session.LinkState:
    state = session.get(request.session, token)
    if state is None:
        raise NeedsDateOfBirth(token)
    return state


def make_form(request: Request, kind: type[F], formdata: Any = None, **kw: Any) -> F:
    secret = settings_of(request).session_secret.get_secret_value().encode()
    return kind(formdata, secret=secret, session=request.session, **kw)


async def posted(request: Request, kind: type[F]) -> F:
    form = make_form(request, kind, await request.form())
    form.validate()
    if form.csrf_failed:
        raise CsrfFailed()
    return form


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    templates = cast(Jinja2Templates, request.app.state.templates)
    values = {"errors": [], **context}
    values.setdefault("has_errors", bool(values["errors"]))
    return templates.TemplateResponse(request, name, values, status_code)


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def link_url(token: str, rest: str = "") -> str:
    return f"/l/{token}{rest}"
