"""``/healthz``, ``/readyz``, ``/metrics`` and ``/asyncapi``, as on every service."""

from functools import cache

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from cohort_contracts.campaign_requests import CampaignRequest
from cohort_contracts.ingest import ResolveRows
from cohort_contracts.routing import (
    CAMPAIGN_REQUESTS,
    FIRETEXT_INBOUND,
    FIRETEXT_RECEIPTS,
    RESOLVE_ROWS,
)
from cohort_contracts.sending import ProcessFiretextInbound, ProcessFiretextReceipt
from cohort_platform.asyncapi import publishers, specification
from cohort_platform.settings import RabbitSettings
from cohort_platform.topology import Topology

from .wiring import WiringDep

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Ready to serve: the broker is connected",
    responses={503: {"description": "Not ready"}},
)
async def readyz(wiring: WiringDep) -> JSONResponse:
    broker = await wiring.broker_ready()
    return JSONResponse(
        {"status": "ready" if broker else "not ready", "checks": {"broker": broker}},
        status_code=200 if broker else 503,
    )


@router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


@cache
def _asyncapi() -> str:
    # The gateway consumes nothing of its own (only replies): its document is what it sends.
    broker = publishers(
        Topology(RabbitSettings()),
        [
            (RESOLVE_ROWS, ResolveRows),
            (CAMPAIGN_REQUESTS, CampaignRequest),
            (FIRETEXT_RECEIPTS, ProcessFiretextReceipt),
            (FIRETEXT_INBOUND, ProcessFiretextInbound),
        ],
    )
    return specification("Cohort gateway", broker).to_specification().to_json()


@router.get("/asyncapi", include_in_schema=False)
async def asyncapi() -> Response:
    """The messages the gateway publishes (AsyncAPI 3.0); docs/asyncapi.yaml has them all."""
    return Response(_asyncapi(), media_type="application/json")
