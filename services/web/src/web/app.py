"""The web app: FastAPI serving server-rendered pages, a client of the gateway's API."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx2
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from cohort_http.body_limit import BodyLimit
from cohort_http.security_headers import NHS_FONTS, SecurityHeaders
from cohort_http.token_buckets import TokenBuckets

from .config import WebSettings
from .errors import ERROR_PAGES
from .oidc import make_oauth
from .routes import (
    campaigns,
    compose,
    lists,
    oidc_sign_in,
    opt_outs,
    patients,
    review,
    safety,
    sign_in,
    templates,
)
from .templating import make_templates
from .users import DevUsers, load_users

STATIC = Path(__file__).parent / "static"
SESSION_COOKIE = "cohort_session"


def create_app(
    settings: WebSettings | None = None,
    *,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> FastAPI:
    """``transport`` is for tests: the gateway's API served in-process (a fake)."""
    settings = settings if settings is not None else WebSettings()
    users = load_users(settings.users_file) if settings.dev_sign_in else DevUsers(users=[])

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
        title="Cohort staff web app",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.templates = make_templates()
    app.state.users = users
    app.state.oauth = make_oauth(settings)
    app.state.sign_in_limiter = TokenBuckets(
        settings.sign_in_per_minute / 60, settings.sign_in_burst
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret.get_secret_value(),
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        routes={r"/campaigns/[^/]+/upload": settings.max_upload_bytes},
    )
    app.add_middleware(
        SecurityHeaders,
        hsts=settings.secure_cookies,
        font_origin=NHS_FONTS if settings.nhs_fonts else None,
    )
    for kind, handler in ERROR_PAGES.items():
        app.add_exception_handler(kind, handler)
    # The NHS.UK frontend as npm ships it: its CSS asks for images at /assets/images/.
    nhsuk = settings.node_modules / "nhsuk-frontend" / "dist" / "nhsuk"
    app.mount("/assets", StaticFiles(directory=nhsuk / "assets", check_dir=False), name="assets")
    app.mount("/nhsuk", StaticFiles(directory=nhsuk, check_dir=False), name="nhsuk")
    htmx = settings.node_modules / "htmx.org" / "dist"
    app.mount("/vendor/htmx", StaticFiles(directory=htmx, check_dir=False), name="htmx")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    routes = (
        sign_in,
        oidc_sign_in,
        campaigns,
        lists,
        compose,
        review,
        safety,
        patients,
        templates,
        opt_outs,
    )
    for module in routes:
        app.include_router(module.router)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
