"""What every route needs: the gateway client for this patient, the link's state in the
session cookie, forms with CSRF, and rendering."""

from typing import Any, cast

import httpx2
from fastapi import Request
from fastapi.responses import Response
from starlette.templating import Jinja2Templates

from .. import session
from ..api_client import GatewayClient, ServiceToken
from ..config import PatientSettings


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


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    templates = cast(Jinja2Templates, request.app.state.templates)
    values = {"errors": [], **context}
    values.setdefault("has_errors", bool(values["errors"]))
    return templates.TemplateResponse(request, name, values, status_code)


def link_url(token: str, rest: str = "") -> str:
    return f"/l/{token}{rest}"
