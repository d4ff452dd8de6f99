"""The gateway's ASGI app: FastAPI with a plain RabbitBroker started in its lifespan."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.telemetry import TelemetryConfig
from fastapi_offline import FastAPIOffline
from faststream.rabbit import RabbitBroker

from cohort_http.body_limit import BodyLimit
from cohort_platform.http_tracing import TracingMiddleware
from cohort_platform.logs import configure_logging
from cohort_platform.settings import RabbitSettings

from ..bootstrap import running_gateway
from ..config import GatewaySettings
from ..ports import CampaignClient
from .http import (
    campaigns,
    events,
    links,
    me,
    ops,
    patient_activity,
    patient_links,
    patient_lists,
    recipients,
    suppressions,
    templates,
    webhooks,
)
from .http.auth import document_common_errors
from .http.errors import install_error_handlers
from .http.metrics import RequestMetrics
from .http.security_headers import SecurityHeaders

NO_FASTAPI_TELEMETRY: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
    "auto_configure": False,
}

DESCRIPTION = """Batch messaging for GP practices and primary-care networks.

Every `/v1` route except the provider webhooks, patient links and the patient service's
`/v1/patient-links` (which take the patient service's own token) needs `Authorization: Bearer
<JWT>`; the token's `org` claim (the ODS code of a practice or a network) scopes everything the
request can see or change. A network user sees all its member practices' campaigns, and names
the practice it acts for in `X-Act-For-Org` when creating a campaign, a template or uploading a
list. Errors have one shape: `{"error": {"code", "message", "details"}}`."""


ROUTERS = (
    campaigns.router,
    events.router,
    patient_lists.upload_router,
    patient_lists.router,
    recipients.router,
    templates.router,
    suppressions.router,
    suppressions.public,
    me.router,
    links.router,
    patient_links.router,
    patient_activity.router,
    webhooks.router,
    ops.router,
)


def create_app(
    settings: GatewaySettings | None = None,
    rabbit: RabbitSettings | None = None,
    *,
    broker: RabbitBroker | None = None,
    campaign: CampaignClient | None = None,
    configure_logs: bool = True,
    oidc_transport: httpx2.AsyncBaseTransport | None = None,
) -> FastAPI:
    """``broker``, ``campaign`` and ``oidc_transport`` are for tests (a ``TestRabbitBroker``-
    patched broker, a fake campaign, an identity provider in memory); by default all are real
    and built by ``bootstrap``."""
    gateway_settings = settings if settings is not None else GatewaySettings()
    rabbit_settings = rabbit if rabbit is not None else RabbitSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if configure_logs:
            configure_logging("gateway", gateway_settings.log_level)
        async with running_gateway(
            gateway_settings,
            rabbit_settings,
            broker=broker,
            campaign=campaign,
            oidc_transport=oidc_transport,
        ) as wiring:
            app.state.wiring = wiring
            yield

    # /docs and /redoc load Swagger UI and ReDoc from the installed fastapi-offline package
    # (under /static-offline-docs), not a CDN: NHS networks are often locked down.
    app = FastAPIOffline(
        title="Cohort API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        # FastAPI's own telemetry is off: it records the raw path (a patient's link token)
        # and trusts a caller's trace context. cohort_platform's TracingMiddleware traces
        # each request instead, by route template.
        telemetry=NO_FASTAPI_TELEMETRY,
    )
    install_error_handlers(app)
    app.add_middleware(
        BodyLimit,
        max_bytes=gateway_settings.max_body_bytes,
        # Uploads are capped by their own route, at GATEWAY_MAX_UPLOAD_BYTES.
        routes={r"/v1/campaigns/[^/]+/patient-lists": None},
    )
    app.add_middleware(SecurityHeaders, hsts=gateway_settings.hsts)
    app.add_middleware(RequestMetrics)
    app.add_middleware(TracingMiddleware)
    _use_error_shape_in_openapi(app)
    for router in ROUTERS:
        app.include_router(router)
    return app


def _use_error_shape_in_openapi(app: FastAPI) -> None:
    """Drop FastAPI's default 422 schema: our handler answers 422 in ``ErrorBody`` shape, and
    every route that can fail validation declares that itself."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            for operations in spec.get("paths", {}).values():
                for operation in operations.values():
                    response = operation.get("responses", {}).get("422", {})
                    if "HTTPValidationError" in str(response):
                        del operation["responses"]["422"]
            # The routers' own routes: FastAPI's app.routes wraps included routers.
            document_common_errors(spec, [r for router in ROUTERS for r in router.routes])
            schemas = spec.get("components", {}).get("schemas", {})
            for name in ("HTTPValidationError", "ValidationError"):
                schemas.pop(name, None)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
