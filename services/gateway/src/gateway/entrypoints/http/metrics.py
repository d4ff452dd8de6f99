"""Request metrics labelled by route *template* (``/v1/campaigns/{campaign_id}``), never the raw
path, which would carry ids (and make one time series per campaign)."""

import time

from prometheus_client import Counter, Histogram
from starlette.types import Receive, Scope, Send

from cohort_http.http_middleware import HttpMiddleware
from cohort_platform.asgi_responses import NotedStatus, route_template

REQUESTS = Counter("gateway_http_requests", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram(
    "gateway_http_request_seconds", "Time to answer an HTTP request", ["method", "route"]
)
UNMATCHED = "unmatched"


class RequestMetrics(HttpMiddleware):
    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        response = NotedStatus(send)
        try:
            await self.app(scope, receive, response.send)
        finally:
            route = route_template(scope) or UNMATCHED
            method = str(scope.get("method", ""))
            REQUESTS.labels(method, route, str(response.status)).inc()
            LATENCY.labels(method, route).observe(time.perf_counter() - started)
