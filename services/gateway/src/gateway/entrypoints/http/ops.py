"""``/healthz``, ``/readyz`` and ``/metrics``, as on every service."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

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
