"""The patient service: FastAPI serving NHS.UK pages, a client of the gateway's patient-link
API only. No database, no broker, no state beyond the session cookie."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx2
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from cohort_http.body_limit import BodyLimit
from cohort_http.security_headers import NHS_FONTS, SecurityHeaders

from .api_client import ServiceToken
from .config import PatientSettings
from .errors import ERROR_PAGES
from .routes import booking, questionnaire, start, unsubscribe
from .routes.common import render
from .templating import make_templates

STATIC = Path(__file__).parent / "static"
SESSION_COOKIE = "cohort_patient"


def create_app(
    settings: PatientSettings | None = None,
    *,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> FastAPI:
    """``transport`` is for tests: the gateway's API served in-process (a fake)."""
    settings = settings if settings is not None else PatientSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx2.AsyncClient(
            base_url=settings.gateway_url,
            timeout=settings.gateway_timeout_s,
            transport=transport,
            limits=httpx2.Limits(max_connections=200, max_keepalive_connections=50),
        ) as http:
            app.state.http = http
            yield

    app = FastAPI(
        title="Cohort patient pages",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.templates = make_templates()
    app.state.service_token = ServiceToken(settings.gateway_secret.get_secret_value())
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret.get_secret_value(),
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age_s,
        same_site="strict",
        https_only=settings.secure_cookies,
    )
    # A patient's answers are short forms: nothing here needs more than the default 1 MiB.
    app.add_middleware(BodyLimit)
    app.add_middleware(
        SecurityHeaders,
        hsts=settings.secure_cookies,
        font_origin=NHS_FONTS if settings.nhs_fonts else None,
    )
    for kind, handler in ERROR_PAGES.items():
        app.add_exception_handler(kind, handler)
    nhsuk = settings.node_modules / "nhsuk-frontend" / "dist" / "nhsuk"
    app.mount("/assets", StaticFiles(directory=nhsuk / "assets", check_dir=False), name="assets")
    app.mount("/nhsuk", StaticFiles(directory=nhsuk, check_dir=False), name="nhsuk")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (start, booking, questionnaire, unsubscribe):
        app.include_router(module.router)

    @app.get("/", include_in_schema=False)
    async def index(request: Request) -> Response:
        return render(request, "index.html", {})

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/robots.txt", include_in_schema=False)
    async def robots() -> PlainTextResponse:
        # Personal links: never indexed.
        return PlainTextResponse("User-agent: *\nDisallow: /\n")

    return app
