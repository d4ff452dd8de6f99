"""OpenTelemetry traces: off unless ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or the traces-only
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) names a collector, then exported over OTLP/HTTP.

Where spans come from, so that service code barely changes:

- **HTTP in** (gateway): ``TracingMiddleware``, one server span per request, named by the route
  template (``POST /v1/campaigns/{campaign_id}/patient-lists``), never the raw path.
- **Every RabbitMQ hop**: FastStream's ``RabbitTelemetryMiddleware`` on every broker
  (``broker.make_broker``): a producer span per publish, the W3C ``traceparent`` in the message
  headers, a consumer span per message handled (RPC requests and replies included).
- **HTTP out**: ``client_span`` around each PDS lookup and each provider call (Firetext, SMTP).
- **Trace boundaries**: ``new_trace`` starts a fresh trace *linked* to the current span. Each
  upload batch and each send chunk is its own trace, so a 100,000-row upload is 500 traces of
  a few hundred spans, each kept or dropped whole by the sampler, not one unreadable trace.

No patient data in spans: spans carry ids, routing keys, sizes, status codes and outcomes only;
exceptions recorded on spans have their messages scrubbed and their stack traces dropped by
``PatientSafeExporter`` before anything leaves the process (an exception's message can quote
its input: DESIGN §4, ``errors.scrub``)."""

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from opentelemetry import context, trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode
from opentelemetry.util.types import AttributeValue
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import scrub

log = logging.getLogger("cohort.tracing")
TRACER = "cohort"


class TracingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    #: OTLP/HTTP collector base URL (e.g. ``http://otel-collector:4318``); unset: no tracing.
    otel_exporter_otlp_endpoint: str | None = None
    #: The full traces URL instead (e.g. ``http://otel-collector:4318/v1/traces``).
    otel_exporter_otlp_traces_endpoint: str | None = None
    #: Fraction of traces kept, decided at each trace's root (an HTTP request, an upload batch,
    #: a send chunk, a sweep); the spans under a root are all kept or all dropped.
    cohort_trace_sample_ratio: float = Field(default=1.0, ge=0.0, le=1.0)

    @property
    def enabled(self) -> bool:
        return bool(self.otel_exporter_otlp_endpoint or self.otel_exporter_otlp_traces_endpoint)


class PatientSafeExporter(SpanExporter):
    """Passes spans on with exception messages and status descriptions scrubbed and stack
    traces dropped; everything else is as recorded."""

    def __init__(self, inner: SpanExporter) -> None:
        self._inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self._inner.export([_scrubbed(span) for span in spans])

    def shutdown(self) -> None:
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return self._inner.force_flush(timeout_millis)


def _scrubbed(span: ReadableSpan) -> ReadableSpan:
    events = [_scrubbed_event(e) for e in span.events]
    status = span.status
    if status.description:
        status = Status(status.status_code, scrub(status.description))
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=span.attributes,
        events=events,
        links=span.links,
        kind=span.kind,
        status=status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


def _scrubbed_event(event: Event) -> Event:
    if event.name != "exception":
        return event
    attributes = {
        key: scrub(str(value)) if key == "exception.message" else value
        for key, value in (event.attributes or {}).items()
        if key != "exception.stacktrace"
    }
    return Event(event.name, attributes, event.timestamp)


def build_provider(service: str, processor: SpanProcessor, sample_ratio: float) -> TracerProvider:
    provider = TracerProvider(
        resource=Resource.create({SERVICE_NAME: service}),
        sampler=ParentBased(TraceIdRatioBased(sample_ratio)),
    )
    provider.add_span_processor(processor)
    return provider


def configure_tracing(service: str, settings: TracingSettings | None = None) -> bool:
    """Install the process's tracer provider if a collector is configured; True if so. The
    OTLP exporter reads its own ``OTEL_EXPORTER_OTLP_*`` variables (headers, timeout, TLS)."""
    settings = settings or TracingSettings()
    if not settings.enabled:
        return False
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return True  # already installed in this process (two apps in one test process)
    exporter = PatientSafeExporter(OTLPSpanExporter())
    provider = build_provider(
        service, BatchSpanProcessor(exporter), settings.cohort_trace_sample_ratio
    )
    trace.set_tracer_provider(provider)
    log.info("tracing on", extra={"sample_ratio": settings.cohort_trace_sample_ratio})
    return True


def tracer() -> trace.Tracer:
    # The global proxy: a no-op until a provider is installed, then that provider's tracer.
    return trace.get_tracer(TRACER)


@contextmanager
def new_trace(name: str, **attributes: str | int) -> Iterator[Span]:
    """Start a trace of its own, linked to the span current here (if any), and make it
    current: what runs inside is traced under it, across every hop. ``attributes`` are ids
    and counts, never patient data."""
    current = trace.get_current_span().get_span_context()
    links = [Link(current)] if current.is_valid else []
    with tracer().start_as_current_span(
        name, context=context.Context(), links=links, attributes=attributes
    ) as span:
        yield span


@contextmanager
def client_span(
    peer: str, operation: str, attributes: Mapping[str, AttributeValue] | None = None
) -> Iterator[Span]:
    """A call to a system outside Cohort (``pds``, ``firetext``, ``smtp``). Name it by the
    operation, never by URL: a PDS path holds the NHS number, a Firetext query the phone
    number and the message."""
    with tracer().start_as_current_span(
        f"{peer} {operation}",
        kind=SpanKind.CLIENT,
        attributes={"peer.service": peer, **(attributes or {})},
    ) as span:
        yield span


def mark_failed(span: Span, outcome: str) -> None:
    span.set_status(Status(StatusCode.ERROR, outcome))
