"""What leaves the process in a span: exception messages scrubbed, stack traces dropped; an HTTP
request's span named by its route template, a caller's trace linked, never adopted."""

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from cohort_platform.http_tracing import TracingMiddleware
from cohort_platform.tracing import PatientSafeExporter, TracingSettings, build_provider, new_trace

CALLER = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def memory_exporter() -> InMemorySpanExporter:
    """This process's tracer provider (it can be set only once), exporting to memory."""
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        memory = InMemorySpanExporter()
        processor = SimpleSpanProcessor(PatientSafeExporter(memory))
        provider = build_provider("test", processor, 1.0)
        provider.memory = memory  # type: ignore[attr-defined]
        trace.set_tracer_provider(provider)
    found: InMemorySpanExporter = provider.memory  # type: ignore[attr-defined]
    found.clear()
    return found


def test_an_exception_leaves_the_process_without_patient_data() -> None:
    memory = memory_exporter()
    try:
        with trace.get_tracer("test").start_as_current_span("lookup"):
            raise ValueError("no patient 943 476 5919 called 'Ann Smith' at ann@example.com")
    except ValueError:
        pass

    [span] = memory.get_finished_spans()
    [event] = span.events
    assert event.attributes is not None
    message = str(event.attributes["exception.message"])
    assert "943" not in message
    assert "Ann" not in message
    assert "example.com" not in message
    assert "exception.stacktrace" not in event.attributes
    assert event.attributes["exception.type"] == "ValueError"
    assert span.status.description is not None
    assert "943" not in span.status.description


def test_a_new_trace_is_linked_to_the_span_that_started_it() -> None:
    memory = memory_exporter()
    with (
        trace.get_tracer("test").start_as_current_span("request") as request,
        new_trace("upload batch", batch=3) as batch,
    ):
        pass

    assert batch.get_span_context().trace_id != request.get_span_context().trace_id
    [finished] = [s for s in memory.get_finished_spans() if s.name == "upload batch"]
    assert finished.parent is None
    assert [link.context.span_id for link in finished.links] == [request.get_span_context().span_id]
    assert finished.attributes == {"batch": 3}


def test_a_request_span_is_named_by_route_and_only_links_the_callers_trace() -> None:
    memory = memory_exporter()

    async def link(_: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/v1/links/{token}", link)])
    app.add_middleware(TracingMiddleware)
    with TestClient(app) as client:
        client.get("/v1/links/secret-token?x=1", headers={"traceparent": CALLER})
        client.get("/healthz")

    [span] = memory.get_finished_spans()
    assert span.kind == SpanKind.SERVER
    assert span.name == "GET /v1/links/{token}"
    assert "secret-token" not in repr(dict(span.attributes or {}))
    assert span.attributes is not None
    assert span.attributes["http.response.status_code"] == 200
    assert span.context is not None
    assert span.parent is None
    assert span.context.trace_id != int("0af7651916cd43dd8448eb211c80319c", 16)
    assert [format(link.context.trace_id, "032x") for link in span.links] == [
        "0af7651916cd43dd8448eb211c80319c"
    ]


def test_tracing_is_off_unless_a_collector_is_named() -> None:
    assert not TracingSettings().enabled
    assert TracingSettings(otel_exporter_otlp_endpoint="http://collector:4318").enabled


def test_spans_reach_an_otlp_collector_over_http() -> None:
    """What ``configure_tracing`` installs, pointed at a stand-in collector on loopback."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    received: list[bytes] = []

    class Collector(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_: object) -> None: ...

    server = HTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/v1/traces"
        processor = SimpleSpanProcessor(PatientSafeExporter(OTLPSpanExporter(endpoint=url)))
        provider = build_provider("ingest", processor, 1.0)
        with provider.get_tracer("test").start_as_current_span("upload batch"):
            pass
        provider.shutdown()
    finally:
        server.shutdown()

    [body] = received
    request = ExportTraceServiceRequest.FromString(body)
    [resource_spans] = request.resource_spans
    attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
    assert attributes["service.name"] == "ingest"
    assert [s.name for s in resource_spans.scope_spans[0].spans] == ["upload batch"]
