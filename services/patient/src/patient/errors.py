"""Error pages: never a stack trace. An unknown link (404) and an expired one (410, with the
practice's phone number), a locked link (423), an ended session (back to the date of birth),
an expired form, and "try again later" when the gateway or the practice's system is down."""

import logging

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from cohort_http.gateway_api import GatewayError, GatewayUnavailable
from cohort_http.page_apps import Elsewhere, ErrorPage, bad_address, elsewhere
from cohort_http.session_forms import CsrfFailed, see_other

from . import session
from .api_client import LinkExpired, LinkLocked, LinkNotFound, Refused, SessionEnded
from .api_views import Practice
from .routes.common import NeedsDateOfBirth, link_url, render

log = logging.getLogger("patient")


def _practice(exc: GatewayError) -> Practice | None:
    name = str(exc.details.get("practice_name") or "")
    phone = str(exc.details.get("practice_phone") or "") or None
    return Practice(name=name, phone=phone) if name or phone else None


async def not_found(request: Request, exc: Exception) -> Response:
    return render(request, "errors/not_found.html", {}, 404)


async def expired(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GatewayError)
    return render(request, "errors/expired.html", {"practice": _practice(exc)}, 410)


async def locked(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GatewayError)
    return render(request, "errors/locked.html", {"practice": _practice(exc)}, 423)


async def needs_date_of_birth(request: Request, exc: Exception) -> Response:
    token = exc.token if isinstance(exc, NeedsDateOfBirth) else ""
    if isinstance(exc, SessionEnded):
        token = request.path_params.get("token", "")
        session.forget(request.session, token)
    return see_other(link_url(token, "?ended=1")) if token else see_other("/")


async def csrf_failed(request: Request, exc: Exception) -> Response:
    return render(request, "errors/form_expired.html", {"back": request.url.path}, 400)


async def refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GatewayError)
    context = {"message": exc.message or "That could not be done. Try again later."}
    return render(request, "errors/refused.html", context, 409)


async def unavailable(request: Request, exc: Exception) -> Response:
    log.warning("gateway unavailable", extra={"error": str(exc)[:100]})
    return render(request, "errors/unavailable.html", {}, 503)


async def bad_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if bad_address(exc):
        return render(request, "errors/not_found.html", {}, 404)
    return render(request, "errors/form_expired.html", {"back": request.url.path}, 400)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code in (404, 405):
        return render(request, "errors/not_found.html", {}, 404)
    return render(request, "errors/unavailable.html", {}, exc.status_code)


async def internal(request: Request, exc: Exception) -> Response:
    log.error("unhandled error", extra={"error": type(exc).__name__})
    return render(request, "errors/unavailable.html", {}, 500)


ERROR_PAGES: dict[type[Exception], ErrorPage] = {
    LinkNotFound: not_found,
    LinkExpired: expired,
    LinkLocked: locked,
    SessionEnded: needs_date_of_birth,
    NeedsDateOfBirth: needs_date_of_birth,
    Elsewhere: elsewhere,
    CsrfFailed: csrf_failed,
    Refused: refused,
    GatewayError: refused,
    GatewayUnavailable: unavailable,
    RequestValidationError: bad_request,
    StarletteHTTPException: http_error,
    Exception: internal,
}
