"""The PDS adapter against a hand-written PDS app, in process (httpx2.ASGITransport)."""

import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import aclosing

import httpx2
import pytest
from pydantic import SecretStr

from cohort_contracts.vocabulary import UploadReason
from ingest.adapters.pds import PdsPatientDirectory
from ingest.bootstrap import build_directory
from ingest.config import IngestSettings
from ingest.domain.patient import PdsPatient
from ingest.ports import LookupContext

from ..fhir import NHS_NUMBER, SUPERSEDING_NHS_NUMBER, make_patient, operation_outcome
from ..pds_stub import BASE_PATH, PdsStub, Reply

CONTEXT = LookupContext(correlation_id=str(uuid.uuid4()), org_id="A81001")
OTHER_NUMBER = "9434765919"


def fast_settings(**overrides: object) -> IngestSettings:
    values: dict[str, object] = {
        "pds_base_url": f"http://pds.test{BASE_PATH}",
        "pds_retry_attempts": 4,
        "pds_backoff_initial_s": 0.001,
        "pds_backoff_max_s": 0.01,
        "pds_rate_limit": 1000,
        "pds_credentials_retry_initial_s": 0.001,
        "pds_credentials_retry_max_s": 0.01,
    }
    values.update(overrides)
    return IngestSettings.model_validate(values)


@pytest.fixture
async def directory(stub: PdsStub) -> AsyncIterator[PdsPatientDirectory]:
    pds = build_directory(fast_settings(), transport=httpx2.ASGITransport(app=stub.app()))
    yield pds
    await pds.aclose()


async def test_found_patient_and_the_headers_pds_requires(
    directory: PdsPatientDirectory, stub: PdsStub
) -> None:
    result = await directory.lookup(NHS_NUMBER, CONTEXT)

    assert isinstance(result, PdsPatient)
    assert result.id == NHS_NUMBER
    [seen] = stub.seen
    assert uuid.UUID(seen.headers["x-request-id"]).version == 4
    assert seen.headers["x-correlation-id"] == CONTEXT.correlation_id
    assert seen.headers["nhsd-end-user-organisation-ods"] == "A81001"
    assert seen.headers["accept"] == "application/fhir+json"
    assert "authorization" not in seen.headers


async def test_bearer_token_sent_when_configured(stub: PdsStub) -> None:
    settings = fast_settings(pds_auth="static", pds_access_token=SecretStr("abc123"))
    async with aclosing(
        build_directory(settings, transport=httpx2.ASGITransport(app=stub.app()))
    ) as pds:
        await pds.lookup(NHS_NUMBER, CONTEXT)
    assert stub.seen[0].headers["authorization"] == "Bearer abc123"


async def test_superseded_number_returns_the_surviving_record(
    directory: PdsPatientDirectory, stub: PdsStub
) -> None:
    stub.patients[OTHER_NUMBER] = make_patient(id=SUPERSEDING_NHS_NUMBER)
    result = await directory.lookup(OTHER_NUMBER, CONTEXT)
    assert isinstance(result, PdsPatient)
    assert result.id == SUPERSEDING_NHS_NUMBER


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(404, operation_outcome("RESOURCE_NOT_FOUND", "not-found")), UploadReason.NOT_FOUND),
        (Reply(404, operation_outcome("INVALIDATED_RESOURCE")), UploadReason.NOT_FOUND),
        (Reply(404, b""), UploadReason.NOT_FOUND),
        (Reply(400, operation_outcome("INVALID_RESOURCE_ID")), UploadReason.INVALID_NHS_NUMBER),
        (
            Reply(400, operation_outcome("INVALID_RESOURCE_ID"), content_type="application/json"),
            UploadReason.INVALID_NHS_NUMBER,
        ),
        (Reply(400, operation_outcome("MISSING_VALUE")), UploadReason.PDS_UNAVAILABLE),
        (Reply(400, b"Bad Request", content_type="text/plain"), UploadReason.PDS_UNAVAILABLE),
        (Reply(400), UploadReason.PDS_UNAVAILABLE),
        (Reply(200, operation_outcome("TOO_MANY_MATCHES")), UploadReason.PDS_UNAVAILABLE),
        (Reply(200, b"<html>"), UploadReason.PDS_UNAVAILABLE),
    ],
)
async def test_answers_that_are_not_retried(
    directory: PdsPatientDirectory, stub: PdsStub, reply: Reply, expected: UploadReason
) -> None:
    stub.scripts[NHS_NUMBER] = [reply]
    assert await directory.lookup(NHS_NUMBER, CONTEXT) is expected
    assert len(stub.seen) == 1


async def test_refusal_logs_the_spine_code_but_not_the_nhs_number(
    directory: PdsPatientDirectory, stub: PdsStub, caplog: pytest.LogCaptureFixture
) -> None:
    stub.scripts[NHS_NUMBER] = [Reply(400, operation_outcome("INVALID_VALUE"))]
    with caplog.at_level(logging.WARNING, logger="ingest.pds"):
        await directory.lookup(NHS_NUMBER, CONTEXT)
    [record] = caplog.records
    assert record.__dict__["spine_code"] == "INVALID_VALUE"
    assert record.__dict__["status"] == 400
    assert NHS_NUMBER not in repr(record.__dict__)


async def test_retry_then_success_reuses_the_request_id(
    directory: PdsPatientDirectory, stub: PdsStub
) -> None:
    stub.scripts[NHS_NUMBER] = [
        Reply(503, operation_outcome("SERVICE_UNAVAILABLE", "timeout")),
        Reply(429, operation_outcome("TOO_MANY_REQUESTS"), content_type="application/json"),
        Reply(500, b"oops", content_type="text/plain"),
    ]
    stub.scripts[OTHER_NUMBER] = [Reply(408, operation_outcome("UNABLE_TO_CALL_SERVICE"))]
    stub.patients[OTHER_NUMBER] = make_patient(id=OTHER_NUMBER)

    assert isinstance(await directory.lookup(NHS_NUMBER, CONTEXT), PdsPatient)
    assert isinstance(await directory.lookup(OTHER_NUMBER, CONTEXT), PdsPatient)

    first = {s.headers["x-request-id"] for s in stub.requests_for(NHS_NUMBER)}
    second = {s.headers["x-request-id"] for s in stub.requests_for(OTHER_NUMBER)}
    assert len(stub.requests_for(NHS_NUMBER)) == 4
    assert len(stub.requests_for(OTHER_NUMBER)) == 2
    assert len(first) == len(second) == 1
    assert first != second


async def test_retries_exhausted_gives_pds_unavailable(
    directory: PdsPatientDirectory, stub: PdsStub
) -> None:
    stub.scripts[NHS_NUMBER] = [Reply(502)] * 10
    assert await directory.lookup(NHS_NUMBER, CONTEXT) is UploadReason.PDS_UNAVAILABLE
    assert len(stub.seen) == 4  # pds_retry_attempts


async def test_retry_after_is_honoured_up_to_the_backoff_cap(stub: PdsStub) -> None:
    settings = fast_settings(pds_backoff_initial_s=0, pds_backoff_max_s=0.3)
    pds = build_directory(settings, transport=httpx2.ASGITransport(app=stub.app()))
    stub.scripts[NHS_NUMBER] = [Reply(503, headers={"Retry-After": "5"})]
    started = time.monotonic()
    async with aclosing(pds):
        assert isinstance(await pds.lookup(NHS_NUMBER, CONTEXT), PdsPatient)
    assert 0.3 <= time.monotonic() - started < 2


async def test_rate_limit_paces_requests(stub: PdsStub) -> None:
    pds = build_directory(
        fast_settings(pds_rate_limit=50), transport=httpx2.ASGITransport(app=stub.app())
    )
    started = time.monotonic()
    async with aclosing(pds):
        for _ in range(30):
            await pds.lookup(NHS_NUMBER, CONTEXT)
    # The bucket starts empty (no burst at start-up): 30 requests at 50/s take 0.6 s.
    assert time.monotonic() - started >= 0.55
