"""The patient service: FastAPI serving NHS.UK pages, a client of the gateway's patient-link
API only. No database, no broker, no state beyond the session cookie."""

from pathlib import Path

import httpx2
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response

from cohort_http.page_apps import add_page_middleware, page_app

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

    app = page_app(
        "Cohort patient pages",
        settings,
        transport,
        templates=make_templates(),
        error_pages=ERROR_PAGES,
        static=STATIC,
    )
    app.state.service_token = ServiceToken(settings.gateway_secret.get_secret_value())
    # A patient's answers are short forms: nothing here needs more than the default 1 MiB body.
    add_page_middleware(
        app,
        settings,
        session_cookie=SESSION_COOKIE,
        same_site="strict",
    )
    for module in (start, booking, questionnaire, unsubscribe):
        app.include_router(module.router)

    @app.get("/", include_in_schema=False)
    async def index(request: Request) -> Response:
        return render(request, "index.html", {})

    @app.get("/robots.txt", include_in_schema=False)
    async def robots() -> PlainTextResponse:
        # Personal links: never indexed.
        return PlainTextResponse("User-agent: *\nDisallow: /\n")

    return app
