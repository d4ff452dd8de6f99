"""Ingest's Prometheus counters: rows by outcome, PDS requests by status class, PDS retries."""

import uuid
from collections.abc import AsyncIterator
from contextlib import ExitStack

import httpx2
import pytest
from prometheus_client import REGISTRY, generate_latest

from cohort_contracts.vocabulary import UploadReason
from ingest.adapters.pds import PdsPatientDirectory
from ingest.adapters.pds_metrics import status_class
from ingest.bootstrap import build_directory
from ingest.config import IngestSettings
from ingest.domain.patient import parse_patient
from ingest.handlers import Dependencies, resolve_rows
from ingest.ports import LookupContext

from ..builders import make_command, make_row
from ..fakes import FakePatientDirectory, FakePublisher, FixedClock
from ..fhir import NHS_NUMBER, make_patient, operation_outcome
from ..metrics import Delta, deltas, moved, sample
from ..pds_stub import BASE_PATH, PdsStub, Reply

CONTEXT = LookupContext(correlation_id=str(uuid.uuid4()), org_id="A81001")
NOT_FOUND_NUMBER = "9434765919"


@pytest.fixture
async def directory(stub: PdsStub) -> AsyncIterator[PdsPatientDirectory]:
    settings = IngestSettings(
        pds_base_url=f"http://pds.test{BASE_PATH}",
        pds_retry_attempts=4,
        pds_backoff_initial_s=0.001,
        pds_backoff_max_s=0.01,
        pds_rate_limit=1000,
    )
    pds = build_directory(settings, transport=httpx2.ASGITransport(app=stub.app()))
    yield pds
    await pds.aclose()


@pytest.mark.parametrize(
    ("status", "expected"),
    [(None, "no_response"), (200, "2xx"), (304, "3xx"), (404, "4xx"), (429, "4xx"), (503, "5xx")],
)
def test_status_classes(status: int | None, expected: str) -> None:
    assert status_class(status) == expected


async def test_rows_are_counted_by_outcome_after_the_batch_is_published() -> None:
    command = make_command(
        [
            make_row(1, NHS_NUMBER),
            make_row(2, "123"),
            make_row(3, NOT_FOUND_NUMBER),
            make_row(4, NHS_NUMBER),
        ]
    )
    directory = FakePatientDirectory({NHS_NUMBER: parse_patient(make_patient())})
    expected = {"resolved": 2, "INVALID_NHS_NUMBER": 1, "NOT_FOUND": 1, "DECEASED": 0}
    with ExitStack() as stack:
        counted = deltas(stack, "ingest_rows_resolved_total", "outcome", expected)
        await resolve_rows(command, Dependencies(directory, FakePublisher(), FixedClock()))

    assert moved(counted) == expected


async def test_a_batch_that_fails_to_publish_counts_no_rows() -> None:
    command = make_command([make_row(1, "123")])
    with (
        Delta("ingest_rows_resolved_total", outcome="INVALID_NHS_NUMBER") as invalid,
        pytest.raises(ConnectionError),
    ):
        await resolve_rows(
            command, Dependencies(FakePatientDirectory(), FakePublisher(failures=1), FixedClock())
        )
    assert invalid.value == 0


def test_row_outcome_labels_are_reason_codes_only() -> None:
    outcomes = {
        s.labels["outcome"]
        for metric in REGISTRY.collect()
        if metric.name == "ingest_rows_resolved"
        for s in metric.samples
        if s.name == "ingest_rows_resolved_total"
    }
    assert outcomes == {"resolved"} | {r.value for r in UploadReason} - {"DUPLICATE_PATIENT"}


async def test_pds_requests_by_status_class_and_retries_by_cause(
    directory: PdsPatientDirectory, stub: PdsStub
) -> None:
    stub.scripts[NHS_NUMBER] = [
        Reply(429, operation_outcome("TOO_MANY_REQUESTS"), content_type="application/json"),
        Reply(503, operation_outcome("SERVICE_UNAVAILABLE")),
        Reply(408, operation_outcome("UNABLE_TO_CALL_SERVICE")),
    ]
    expected_requests = {"2xx": 1, "4xx": 3, "5xx": 1}
    expected_retries = {"throttled": 1, "server_error": 1, "timeout": 1, "transport": 0}
    with ExitStack() as stack:
        requests = deltas(stack, "ingest_pds_requests_total", "status_class", expected_requests)
        retries = deltas(stack, "ingest_pds_retries_total", "cause", expected_retries)
        await directory.lookup(NHS_NUMBER, CONTEXT)
        await directory.lookup(NOT_FOUND_NUMBER, CONTEXT)

    assert moved(requests) == expected_requests
    assert moved(retries) == expected_retries


async def test_requests_without_an_answer_are_counted_as_no_response() -> None:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("refused", request=request)

    settings = IngestSettings(
        pds_retry_attempts=2, pds_backoff_initial_s=0.001, pds_rate_limit=1000
    )
    pds = build_directory(settings, transport=httpx2.MockTransport(refuse))
    with (
        Delta("ingest_pds_requests_total", status_class="no_response") as no_response,
        Delta("ingest_pds_retries_total", cause="transport") as retries,
    ):
        try:
            assert await pds.lookup(NHS_NUMBER, CONTEXT) is UploadReason.PDS_UNAVAILABLE
        finally:
            await pds.aclose()
    assert (no_response.value, retries.value) == (2, 1)


def test_metrics_are_exposed_with_every_series_from_the_start() -> None:
    text = generate_latest(REGISTRY).decode()
    assert 'ingest_rows_resolved_total{outcome="PDS_UNAVAILABLE"}' in text
    assert 'ingest_pds_requests_total{status_class="no_response"}' in text
    assert 'ingest_pds_retries_total{cause="unauthorized"}' in text
    assert sample("ingest_pds_retries_total", cause="token") >= 0
