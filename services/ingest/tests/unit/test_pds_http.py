"""The PDS adapter as deployed, on the aiohttp transport, against a real local uvicorn."""

import asyncio
import socket
import uuid
from contextlib import aclosing

from cohort_contracts.vocabulary import UploadReason
from cohort_testing.local_server import serve
from ingest.bootstrap import build_directory
from ingest.config import IngestSettings
from ingest.domain.patient import PdsPatient
from ingest.ports import LookupContext

from ..fhir import NHS_NUMBER, make_patient
from ..pds_stub import BASE_PATH, PdsStub, Reply

CONTEXT = LookupContext(correlation_id=str(uuid.uuid4()), org_id="A81001")


def settings_for(base_url: str, **overrides: object) -> IngestSettings:
    values: dict[str, object] = {
        "pds_base_url": base_url + BASE_PATH,
        "pds_retry_attempts": 3,
        "pds_backoff_initial_s": 0.001,
        "pds_backoff_max_s": 0.01,
        "pds_rate_limit": 1000,
    }
    values.update(overrides)
    return IngestSettings.model_validate(values)


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_lookups_over_http_are_bounded_by_the_concurrency_setting() -> None:
    stub = PdsStub(patients={NHS_NUMBER: make_patient()}, latency_s=0.05)
    async with (
        serve(stub.app()) as url,
        aclosing(build_directory(settings_for(url, pds_concurrency=3))) as pds,
    ):
        results = await asyncio.gather(*(pds.lookup(NHS_NUMBER, CONTEXT) for _ in range(12)))
    assert all(isinstance(r, PdsPatient) for r in results)
    assert stub.max_in_flight == 3


async def test_read_timeout_is_retried_with_the_same_request_id(stub: PdsStub) -> None:
    stub.scripts[NHS_NUMBER] = [Reply(200, make_patient(), delay_s=0.5)]
    async with (
        serve(stub.app()) as url,
        aclosing(build_directory(settings_for(url, pds_read_timeout_s=0.1))) as pds,
    ):
        result = await pds.lookup(NHS_NUMBER, CONTEXT)
    assert isinstance(result, PdsPatient)
    stub.assert_one_request_tried(2)


async def test_attempt_deadline_caps_a_slow_answer(stub: PdsStub) -> None:
    stub.scripts[NHS_NUMBER] = [Reply(200, make_patient(), delay_s=0.5)] * 3
    async with (
        serve(stub.app()) as url,
        aclosing(build_directory(settings_for(url, pds_attempt_timeout_s=0.1))) as pds,
    ):
        result = await pds.lookup(NHS_NUMBER, CONTEXT)
    assert result is UploadReason.PDS_UNAVAILABLE
    assert len(stub.seen) == 3


async def test_connection_refused_gives_pds_unavailable_after_retries() -> None:
    async with aclosing(build_directory(settings_for(f"http://127.0.0.1:{unused_port()}"))) as pds:
        assert await pds.lookup(NHS_NUMBER, CONTEXT) is UploadReason.PDS_UNAVAILABLE
