"""Request metrics labelled by route *template* (``/v1/campaigns/{campaign_id}``), never the raw
path, which would carry ids (and make one time series per campaign)."""

import time

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter("gateway_http_requests", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram(
    "gateway_http_request_seconds", "Time to answer an HTTP request", ["method", "route"]
)
UNMATCHED = "unmatched"


class RequestMetrics:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # unless a response starts: an exception escaped
        started = time.perf_counter()

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            # The router put the matched route into the scope.
            route = getattr(scope.get("route"), "path", None) or UNMATCHED
            method = str(scope.get("method", ""))
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(time.perf_counter() - started)
