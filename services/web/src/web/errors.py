"""Error pages: never a stack trace. A 404 page for what is not there (or is another
organisation's), a plain "try again" page when the gateway is down, the NHS error summary for
input the app cannot use, and back to sign-in when the session or token has ended."""

import logging

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from cohort_http.gateway_api import GatewayUnavailable
from cohort_http.page_apps import Elsewhere, ErrorPage, bad_address, elsewhere
from cohort_http.session_forms import CsrfFailed, see_other

from . import session
from .api_client import Forbidden, GatewayError, NotFound, SignInAgain
from .routes.common import NotSignedIn, render, sign_in_url

log = logging.getLogger("web")


async def not_signed_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotSignedIn)
    return see_other(sign_in_url(exc.next_path))


async def sign_in_again(request: Request, exc: Exception) -> Response:
    session.end(request.session)
    return see_other("/sign-in?expired=1")


async def csrf_failed(request: Request, exc: Exception) -> Response:
    return render(request, "errors/expired.html", {}, 400)


async def not_found(request: Request, exc: Exception) -> Response:
    return render(request, "errors/404.html", {}, 404)


async def forbidden(request: Request, exc: Exception) -> Response:
    message = exc.message if isinstance(exc, GatewayError) else ""
    return render(request, "errors/403.html", {"message": message}, 403)


async def refused(request: Request, exc: Exception) -> Response:
    """A refusal the page did not expect (the ones it expects are shown on its form)."""
    assert isinstance(exc, GatewayError)
    context = {"message": exc.message or "The request could not be completed."}
    return render(request, "errors/refused.html", context, 400)


async def unavailable(request: Request, exc: Exception) -> Response:
    log.warning("gateway unavailable", extra={"error": str(exc)[:100], "path": request.url.path})
    return render(request, "errors/503.html", {}, 503, headers={"Retry-After": "10"})


async def bad_request(request: Request, exc: Exception) -> Response:
    """A malformed id in the address is a page that does not exist; anything else the browser
    sent that cannot be read gets the error summary."""
    assert isinstance(exc, RequestValidationError)
    if bad_address(exc):
        return render(request, "errors/404.html", {}, 404)
    return render(request, "errors/bad_request.html", {}, 400)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return render(request, "errors/404.html", {}, 404)
    if exc.status_code < 500:
        return render(request, "errors/bad_request.html", {}, exc.status_code)
    return render(request, "errors/500.html", {}, exc.status_code)


async def internal(request: Request, exc: Exception) -> Response:
    log.error("unhandled error", extra={"error": type(exc).__name__, "path": request.url.path})
    return render(request, "errors/500.html", {}, 500)


ERROR_PAGES: dict[type[Exception], ErrorPage] = {
    NotSignedIn: not_signed_in,
    Elsewhere: elsewhere,
    SignInAgain: sign_in_again,
    CsrfFailed: csrf_failed,
    NotFound: not_found,
    Forbidden: forbidden,
    GatewayError: refused,
    GatewayUnavailable: unavailable,
    RequestValidationError: bad_request,
    StarletteHTTPException: http_error,
    Exception: internal,
}
