"""The HTTP face of a worker service: ``/healthz``, ``/readyz`` and ``/metrics``."""

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager

from prometheus_client import make_asgi_app
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

ReadinessCheck = Callable[[], Awaitable[bool]]


def service_app(
    lifespan: Callable[[Starlette], AbstractAsyncContextManager[None]],
    checks: dict[str, ReadinessCheck],
) -> Starlette:
    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> JSONResponse:
        results = {name: await _safe(check) for name, check in checks.items()}
        ready = all(results.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": results},
            status_code=200 if ready else 503,
        )

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Mount("/metrics", app=make_asgi_app()),
        ],
        lifespan=lifespan,
    )


async def _safe(check: ReadinessCheck) -> bool:
    try:
        return await check()
    except Exception:
        return False
