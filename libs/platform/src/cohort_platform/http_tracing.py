"""``TracingMiddleware``: one server span per HTTP request, as pure ASGI so the span is current
while the endpoint runs (its publishes and RPCs continue the trace).

A caller's ``traceparent`` is not trusted as a parent: the gateway is the internet's edge, and a
client must not choose our sampling or graft our spans onto its trace. The request starts a
trace of its own, *linked* to the caller's span when one is given (the web app's, say). The
span is named by the route template; the raw path (ids, link tokens) and the query string are
never recorded. Health, readiness and metrics scrapes are not traced."""

from opentelemetry import context, trace
from opentelemetry.trace import Link, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from starlette.types import ASGIApp, Receive, Scope, Send

from .asgi_responses import NotedStatus, route_template
from .tracing import tracer

_UNTRACED = frozenset({"/healthz", "/readyz", "/metrics", "/metrics/"})
_PROPAGATOR = TraceContextTextMapPropagator()


class TracingMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in _UNTRACED:
            await self.app(scope, receive, send)
            return
        method = str(scope.get("method", ""))
        with tracer().start_as_current_span(
            f"{method} request",
            context=context.Context(),
            kind=SpanKind.SERVER,
            links=_caller_link(scope),
            attributes={"http.request.method": method},
        ) as span:
            response = NotedStatus(send)
            try:
                await self.app(scope, receive, response.send)
            finally:
                route = route_template(scope)
                if route is not None:
                    span.update_name(f"{method} {route}")
                    span.set_attribute("http.route", route)
                status = response.status
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_status(Status(StatusCode.ERROR, f"HTTP {status}"))


def _caller_link(scope: Scope) -> list[Link]:
    carrier = {
        key.decode("latin-1"): value.decode("latin-1")
        for key, value in scope.get("headers", [])
        if key in (b"traceparent", b"tracestate")
    }
    if not carrier:
        return []
    caller = trace.get_current_span(_PROPAGATOR.extract(carrier)).get_span_context()
    return [Link(caller)] if caller.is_valid else []
