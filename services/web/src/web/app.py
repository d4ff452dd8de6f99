"""The web app: FastAPI serving server-rendered pages, a client of the gateway's API."""

from pathlib import Path

import httpx2
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from cohort_http.page_apps import add_page_middleware, page_app
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
    send_again,
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

    app = page_app(
        "Cohort staff web app",
        settings,
        transport,
        templates=make_templates(),
        error_pages=ERROR_PAGES,
        static=STATIC,
    )
    app.state.users = users
    app.state.oauth = make_oauth(settings)
    app.state.sign_in_limiter = TokenBuckets(
        settings.sign_in_per_minute / 60, settings.sign_in_burst
    )
    add_page_middleware(
        app,
        settings,
        session_cookie=SESSION_COOKIE,
        same_site="lax",
        max_body_bytes=settings.max_body_bytes,
        body_routes={r"/campaigns/[^/]+/upload": settings.max_upload_bytes},
    )
    htmx = settings.node_modules / "htmx.org" / "dist"
    app.mount("/vendor/htmx", StaticFiles(directory=htmx, check_dir=False), name="htmx")
    routes = (
        sign_in,
        oidc_sign_in,
        campaigns,
        lists,
        compose,
        review,
        safety,
        send_again,
        patients,
        templates,
        opt_outs,
    )
    for module in routes:
        app.include_router(module.router)
    return app
