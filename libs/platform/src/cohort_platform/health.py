"""The HTTP face of a worker service: ``/healthz``, ``/readyz``, ``/metrics`` and, given its
broker, ``/asyncapi`` (JSON) and ``/asyncapi.yaml``: the contracts it consumes."""

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager

from faststream.rabbit import RabbitBroker
from prometheus_client import make_asgi_app
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from .asyncapi import specification

ReadinessCheck = Callable[[], Awaitable[bool]]
#: The service's broker once its subscribers are registered (None before).
BrokerSource = Callable[[], RabbitBroker | None]


def service_app(
    lifespan: Callable[[Starlette], AbstractAsyncContextManager[None]],
    checks: dict[str, ReadinessCheck],
    *,
    asyncapi: tuple[str, BrokerSource] | None = None,
) -> Starlette:
    """``asyncapi`` is the document's title and where to find the broker."""

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> JSONResponse:
        results = {name: await _safe(check) for name, check in checks.items()}
        ready = all(results.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": results},
            status_code=200 if ready else 503,
        )

    routes: list[BaseRoute] = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Mount("/metrics", app=make_asgi_app()),
    ]
    if asyncapi is not None:
        routes += _asyncapi_routes(*asyncapi)
    return Starlette(routes=routes, lifespan=lifespan)


def broker_ready(broker: BrokerSource, *, timeout_s: float = 2.0) -> ReadinessCheck:
    """Ready while the broker (once there is one) answers a ping within ``timeout_s``."""

    async def check() -> bool:
        current = broker()
        return current is not None and await current.ping(timeout=timeout_s)

    return check


def worker_app(
    lifespan: Callable[[Starlette], AbstractAsyncContextManager[None]],
    title: str,
    broker: RabbitBroker,
    checks: dict[str, ReadinessCheck] | None = None,
) -> Starlette:
    """``service_app`` for a worker whose broker exists from the start: ready when the broker
    answers (then ``checks``, such as its database), and its AsyncAPI document titled ``title``."""
    return service_app(
        lifespan,
        {"broker": broker_ready(lambda: broker), **(checks or {})},
        asyncapi=(title, lambda: broker),
    )


def _asyncapi_routes(title: str, broker: BrokerSource) -> list[BaseRoute]:
    def document(_: Request, *, yaml: bool) -> Response:
        current = broker()
        if current is None:
            return JSONResponse({"status": "starting"}, status_code=503)
        spec = specification(title, current).to_specification()
        if yaml:
            return Response(spec.to_yaml(), media_type="application/yaml")
        return Response(spec.to_json(), media_type="application/json")

    async def as_json(request: Request) -> Response:
        return document(request, yaml=False)

    async def as_yaml(request: Request) -> Response:
        return document(request, yaml=True)

    return [Route("/asyncapi", as_json), Route("/asyncapi.yaml", as_yaml)]


async def _safe(check: ReadinessCheck) -> bool:
    try:
        return await check()
    except Exception:
        return False
