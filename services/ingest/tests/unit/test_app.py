import logging

import httpx2
import pytest

from cohort_platform.settings import RabbitSettings
from ingest.bootstrap import build_directory
from ingest.config import IngestSettings
from ingest.entrypoints.app import configure_ingest_logging, create_app
from ingest.ports import LookupContext

from ..fhir import NHS_NUMBER, make_patient
from ..pds_stub import BASE_PATH, PdsStub


def test_settings_come_from_ingest_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INGEST_PDS_RATE_LIMIT", "2.5")
    monkeypatch.setenv("INGEST_PDS_BASE_URL", "http://pds.example/FHIR/R4")
    monkeypatch.setenv("INGEST_PDS_CONCURRENCY", "7")
    settings = IngestSettings()
    assert (settings.pds_rate_limit, settings.pds_base_url, settings.pds_concurrency) == (
        2.5,
        "http://pds.example/FHIR/R4",
        7,
    )
    assert (settings.host, settings.port, settings.pds_access_token) == ("127.0.0.1", 8102, None)


async def test_not_ready_until_the_broker_is_connected() -> None:
    app = create_app(IngestSettings(), RabbitSettings())
    transport = httpx2.ASGITransport(app=app)  # no lifespan: the broker never starts
    async with httpx2.AsyncClient(transport=transport, base_url="http://ingest") as client:
        assert (await client.get("/healthz")).status_code == 200
        ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"] == {"broker": False}


async def test_logs_never_carry_the_nhs_number_in_a_request_url(
    capsys: pytest.CaptureFixture[str],
) -> None:
    stub = PdsStub(patients={NHS_NUMBER: make_patient()})
    settings = IngestSettings(pds_base_url=f"http://pds.test{BASE_PATH}", pds_rate_limit=1000)
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_ingest_logging("DEBUG")
        pds = build_directory(settings, transport=httpx2.ASGITransport(app=stub.app()))
        try:
            await pds.lookup(NHS_NUMBER, LookupContext(correlation_id="c", org_id="A81001"))
        finally:
            await pds.aclose()
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    assert stub.seen  # the request was made
    assert NHS_NUMBER not in capsys.readouterr().out
