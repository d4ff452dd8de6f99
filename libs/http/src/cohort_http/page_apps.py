"""How the web app and the patient pages are put together, the same way: one client of the
gateway's API for the app's life, the session cookie, body caps and security headers, the
NHS.UK frontend's files and macros, and the checks that keep development secrets out of
production."""

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, Literal, TypeVar

import httpx2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, FileSystemLoader, PackageLoader
from starlette.applications import Starlette
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from .body_limit import DEFAULT_MAX_BODY_BYTES, BodyLimit
from .page_settings import PageAppSettings
from .security_headers import NHS_FONTS, SecurityHeaders
from .session_forms import see_other

Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]
#: An app's page for an exception it names (``ERROR_PAGES``): never a stack trace.
ErrorPage = Callable[[Request, Exception], Awaitable[Response]]
T = TypeVar("T")


class Elsewhere(Exception):
    """The page asked for is not one for things as they are now (a step since moved past, an
    old bookmark): the browser goes to ``url`` instead (303). An app's ``ERROR_PAGES`` map it to
    ``elsewhere``."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


async def elsewhere(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Elsewhere)
    return see_other(exc.url)


def gateway_lifespan(
    settings: PageAppSettings, transport: httpx2.AsyncBaseTransport | None = None
) -> Lifespan:
    """The app's one client of the gateway (``app.state.http``), open while the app runs.
    ``transport`` is for tests: the gateway's API served in-process (a fake)."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with httpx2.AsyncClient(
            base_url=settings.gateway_url,
            timeout=settings.gateway_timeout_s,
            transport=transport,
            limits=httpx2.Limits(max_connections=200, max_keepalive_connections=50),
        ) as http:
            app.state.http = http
            yield

    return lifespan


def page_app(
    title: str,
    settings: PageAppSettings,
    transport: httpx2.AsyncBaseTransport | None = None,
    *,
    templates: Jinja2Templates,
    error_pages: Mapping[type[Exception], ErrorPage],
    static: Path,
) -> FastAPI:
    """An app of server-rendered pages: no API docs, the gateway's client for its life
    (``gateway_lifespan``), its settings at ``app.state.settings`` and its ``templates`` at
    ``app.state.templates``, its ``error_pages`` for the exceptions they name, the NHS.UK
    frontend's files (``mount_nhsuk_frontend``), its own ``static`` files at ``/static`` and a
    ``/healthz``. ``transport`` is for tests: the gateway's API served in-process (a fake)."""
    app = FastAPI(
        title=title,
        lifespan=gateway_lifespan(settings, transport),
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.templates = templates

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    for kind, page in error_pages.items():
        app.add_exception_handler(kind, page)
    mount_nhsuk_frontend(app, settings)
    app.mount("/static", StaticFiles(directory=static), name="static")
    return app


def add_page_middleware(
    app: Starlette,
    settings: PageAppSettings,
    *,
    session_cookie: str,
    same_site: Literal["lax", "strict"],
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    body_routes: Mapping[str, int | None] | None = None,
) -> None:
    """The signed session cookie (HTTPS-only with ``secure_cookies``, which also turns HSTS on),
    the body caps (``BodyLimit``) and the security headers, outermost last."""
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret.get_secret_value(),
        session_cookie=session_cookie,
        max_age=settings.session_max_age_s,
        same_site=same_site,
        https_only=settings.secure_cookies,
    )
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes, routes=body_routes)
    app.add_middleware(
        SecurityHeaders,
        hsts=settings.secure_cookies,
        font_origin=NHS_FONTS if settings.nhs_fonts else None,
    )


def from_session(
    session: Mapping[str, Any], key: str, read: Callable[[dict[str, Any]], T]
) -> T | None:
    """What ``read`` makes of the dict the session cookie holds under ``key``. None when there
    is none, or when ``read`` cannot make sense of it (a cookie an older version of the app
    wrote): the cookie is signed, so it is ours, but not necessarily of the shape read now."""
    raw = session.get(key)
    if not isinstance(raw, dict):
        return None
    try:
        return read(raw)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def mount_nhsuk_frontend(app: Starlette, settings: PageAppSettings) -> None:
    """The NHS.UK frontend as npm ships it: its CSS asks for images at /assets/images/."""
    nhsuk = settings.node_modules / "nhsuk-frontend" / "dist" / "nhsuk"
    app.mount("/assets", StaticFiles(directory=nhsuk / "assets", check_dir=False), name="assets")
    app.mount("/nhsuk", StaticFiles(directory=nhsuk, check_dir=False), name="nhsuk")


def nhsuk_templates(templates: Path) -> Environment:
    """The Jinja environment of an app's pages: its ``templates`` first, then what both apps'
    layouts share (``cohort_http/templates``), then the NHS.UK frontend's macros
    (``nhsuk-frontend-jinja``)."""
    loaders = [
        FileSystemLoader(templates),
        PackageLoader("cohort_http"),
        PackageLoader("nhsuk_frontend_jinja"),
    ]
    return Environment(
        loader=ChoiceLoader(loaders),
        # The NHS macros read optional parameters through chains (params.hint.text).
        undefined=ChainableUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def bad_address(exc: RequestValidationError) -> bool:
    """Whether what could not be read is the page's address (a malformed id in the path): a
    page that does not exist, not a form the browser sent wrongly."""
    return any(e.get("loc", ("",))[0] == "path" for e in exc.errors())
