"""One upload, then its send, traced across all four services (OpenTelemetry, in-memory
exporter). The services run in this process, each as it runs in production (its own app, its
own lifespan, served by uvicorn on a free port) against the real RabbitMQ in a namespace of its
own; the PDS and Firetext simulators are served the same way. Spans are collected through the
same ``PatientSafeExporter`` the OTLP exporter sits behind."""

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx2
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from campaign.config import CampaignSettings
from campaign.entrypoints.app import create_app as campaign_app
from cohort_contracts.routing import ALL_ROUTES
from cohort_platform.testing import rabbit_namespace
from cohort_platform.tracing import PatientSafeExporter, build_provider
from cohort_testing.local_server import serve
from cohort_testing.ports import free_port
from dispatch.config import Settings as DispatchSettings
from dispatch.entrypoints.app import create_app as dispatch_app
from firetext_sim.app import create_app as firetext_app
from firetext_sim.config import Settings as FiretextSettings
from gateway.adapters.token_verifiers import issue_token
from gateway.config import GatewaySettings
from gateway.entrypoints.app import create_app as gateway_app
from ingest.config import IngestSettings
from ingest.entrypoints.app import create_app as ingest_app
from pds_sim.app import create_app as pds_app
from pds_sim.config import Settings as PdsSettings

from .e2e.sending_flow import Patient, list_csv, pick

pytestmark = pytest.mark.integration
JWT_SECRET = "tracing-test-jwt-secret-long-enough-for-hs256"
WEBHOOK_SECRET = "tracing-test-webhook-secret"
ORG = "A81001"
CONSUMER = {r.routing_key: r.consumer for r in ALL_ROUTES}


def exporter() -> InMemorySpanExporter:
    """The process's tracer provider can be set once; every test here shares it."""
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        memory = InMemorySpanExporter()
        provider = build_provider(
            "cohort-test", SimpleSpanProcessor(PatientSafeExporter(memory)), 1.0
        )
        provider.memory = memory  # type: ignore[attr-defined]
        trace.set_tracer_provider(provider)
    found: InMemorySpanExporter = provider.memory  # type: ignore[attr-defined]
    return found


@asynccontextmanager
async def cohort(rabbitmq_url: str) -> AsyncIterator[httpx2.AsyncClient]:
    ports = {name: free_port() for name in ("gw", "cp", "in", "di", "pds", "ft")}
    url = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    async with rabbit_namespace(rabbitmq_url) as rabbit:
        apps = [
            (pds_app(PdsSettings(synthetic=True)), "pds"),
            (firetext_app(FiretextSettings(receipt_delay_ms=50)), "ft"),
            # A long sweep interval: the send request's own release does the work.
            (campaign_app(CampaignSettings(sweep_interval_s=60, quiet_hours="off"), rabbit), "cp"),
            (
                ingest_app(
                    IngestSettings(
                        pds_base_url=f"{url['pds']}/personal-demographics/FHIR/R4",
                        pds_rate_limit=1000,
                    ),
                    rabbit,
                ),
                "in",
            ),
            (
                dispatch_app(
                    DispatchSettings(
                        firetext_base_url=url["ft"],
                        receipt_url=f"{url['gw']}/v1/webhooks/firetext/receipts",
                        webhook_secret=WEBHOOK_SECRET,
                    ),
                    rabbit,
                ),
                "di",
            ),
            (
                gateway_app(
                    GatewaySettings(jwt_secret=JWT_SECRET, webhook_secret=WEBHOOK_SECRET), rabbit
                ),
                "gw",
            ),
        ]
        async with _all_serving(apps, ports):
            token = issue_token(JWT_SECRET, "tracer", ORG, timedelta(minutes=10))
            async with httpx2.AsyncClient(
                base_url=url["gw"], headers={"Authorization": f"Bearer {token}"}, timeout=30
            ) as client:
                yield client


@asynccontextmanager
async def _all_serving(apps: list[tuple[Any, str]], ports: dict[str, int]) -> AsyncIterator[None]:
    if not apps:
        yield
        return
    (app, name), rest = apps[0], apps[1:]
    async with serve(app, port=ports[name], lifespan="on"), _all_serving(rest, ports):
        yield


async def poll(client: httpx2.AsyncClient, path: str, done: Any, seconds: float = 30) -> Any:
    async with asyncio.timeout(seconds):
        while True:
            body = (await client.get(path)).json()
            if done(body):
                return body
            await asyncio.sleep(0.2)


async def journey(client: httpx2.AsyncClient, patients: list[Patient]) -> None:
    created = await client.post("/v1/campaigns", json={"name": "Traced", "type": "basic"})
    campaign = created.json()["id"]
    rows = [(p.nhs_number, p.birth_date) for p in patients]
    uploaded = await client.post(
        f"/v1/campaigns/{campaign}/patient-lists",
        files={"file": ("list.csv", list_csv(rows), "text/csv")},
        data={"channel": "sms"},
    )
    assert uploaded.status_code == 202, uploaded.text
    await poll(client, uploaded.headers["location"], lambda b: b["status"] == "complete")
    composed = await client.put(f"/v1/campaigns/{campaign}/message", json={"body": "Flu jabs"})
    assert composed.status_code == 200, composed.text
    count = (await client.get(f"/v1/campaigns/{campaign}/review")).json()
    sent = await client.post(
        f"/v1/campaigns/{campaign}/send",
        json={"confirm_recipient_count": count["recipient_count"]},
    )
    assert sent.status_code == 202, sent.text
    await poll(
        client,
        f"/v1/campaigns/{campaign}/recipients?status=delivered",
        lambda b: b["total"] == len(patients),
    )


class Spans:
    def __init__(self, spans: Iterable[ReadableSpan]) -> None:
        self.all = list(spans)

    def named(self, name: str) -> list[ReadableSpan]:
        return [s for s in self.all if s.name == name]

    def reachable(self, start: ReadableSpan) -> list[ReadableSpan]:
        """Everything caused by ``start``: its descendants, and the traces linked to any of
        them (each upload batch and send chunk is a trace of its own, linked to its cause)."""
        seen = {_id(start)}
        grew = True
        while grew:
            grew = False
            for span in self.all:
                if _id(span) in seen:
                    continue
                parent = span.parent
                causes = [(link.context.trace_id, link.context.span_id) for link in span.links]
                if parent is not None:
                    causes.append((parent.trace_id, parent.span_id))
                if any(cause in seen for cause in causes):
                    seen.add(_id(span))
                    grew = True
        return [s for s in self.all if _id(s) in seen]


def _id(span: ReadableSpan) -> tuple[int, int]:
    assert span.context is not None
    return span.context.trace_id, span.context.span_id


def service_of(span: ReadableSpan) -> str | None:
    """Which service recorded a span: the gateway serves HTTP, PDS is called by ingest and
    Firetext by dispatch, and a message is processed by the consumer of its routing key."""
    attributes = span.attributes or {}
    if span.kind == SpanKind.SERVER:
        return "gateway"
    if span.kind == SpanKind.CLIENT:
        return {"pds": "ingest", "firetext": "dispatch"}.get(str(attributes.get("peer.service")))
    if span.name.endswith(" process"):
        key = str(attributes.get("messaging.rabbitmq.destination.routing_key"))
        return CONSUMER.get(key)
    return None


async def test_one_upload_and_its_send_are_linked_across_all_four_services(
    rabbitmq_url: str,
) -> None:
    memory = exporter()
    memory.clear()
    patients = pick(3, "9990001")
    async with cohort(rabbitmq_url) as client:
        await journey(client, patients)
    finished = memory.get_finished_spans()
    # The simulators stand in for PDS and Firetext; their FastAPI apps trace themselves here
    # only because they share this process's tracer provider.
    outside = [
        s for s in finished if s.instrumentation_scope and s.instrumentation_scope.name == "fastapi"
    ]
    assert not [
        s for s in outside if str((s.attributes or {}).get("http.route", "")).startswith("/v1")
    ]
    spans = Spans(s for s in finished if s not in outside)
    memory.clear()

    [upload] = spans.named("POST /v1/campaigns/{campaign_id}/patient-lists")
    caused = spans.reachable(upload)
    assert {service_of(s) for s in caused} >= {"gateway", "ingest", "campaign"}
    lookups = [s for s in caused if s.name == "pds GET Patient"]
    assert len(lookups) == len(patients)
    assert all(s.attributes and s.attributes["http.response.status_code"] == 200 for s in lookups)
    # The batch is a trace of its own, linked to the request's, and holds its lookups.
    [batch] = [s for s in caused if s.name == "upload batch"]
    assert upload.context is not None
    assert batch.context is not None
    assert batch.parent is None
    assert batch.context.trace_id != upload.context.trace_id
    assert [link.context.span_id for link in batch.links] == [upload.context.span_id]
    assert {s.context.trace_id for s in lookups if s.context} == {batch.context.trace_id}
    recorded = [s for s in caused if service_of(s) == "campaign"]
    assert any(s.context and s.context.trace_id == batch.context.trace_id for s in recorded)

    [send] = spans.named("POST /v1/campaigns/{campaign_id}/send")
    sending = spans.reachable(send)
    assert {service_of(s) for s in sending} - {None} == {"gateway", "campaign", "dispatch"}
    provider_calls = [s for s in sending if s.name == "firetext send"]
    assert provider_calls
    chunks = [s for s in sending if s.name == "send chunk"]
    assert chunks
    assert all(c.parent is None and c.links for c in chunks)
    assert {s.context.trace_id for s in provider_calls if s.context} <= {
        c.context.trace_id for c in chunks if c.context
    }

    assert {service_of(s) for s in caused + sending} >= {
        "gateway",
        "ingest",
        "campaign",
        "dispatch",
    }
    assert_no_patient_data(spans.all, patients)


def assert_no_patient_data(spans: list[ReadableSpan], patients: list[Patient]) -> None:
    secrets = [
        value
        for p in patients
        for value in (p.nhs_number, p.given, p.family, p.mobile, p.mobile[2:], p.email)
    ] + ["Flu jabs"]
    for span in spans:
        text = repr(
            (
                span.name,
                dict(span.attributes or {}),
                [(e.name, dict(e.attributes or {})) for e in span.events],
                [dict(link.attributes or {}) for link in span.links],
                span.status.description,
            )
        )
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"span {span.name!r} carries patient data"
