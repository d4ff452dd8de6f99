"""Ingest's PDS client against the project's PDS simulator (simulators/pds), over real HTTP."""

import uuid
from datetime import date
from itertools import islice

import httpx2
import pytest

from cohort_contracts.vocabulary import UploadReason
from cohort_nhs import is_valid_nhs_number
from cohort_testing.local_server import serve
from ingest.bootstrap import build_directory
from ingest.config import IngestSettings
from ingest.handlers import Dependencies, resolve_rows

from ..builders import make_command, make_row
from ..fakes import FakePublisher, FixedClock

pytestmark = pytest.mark.integration

sim_app = pytest.importorskip("pds_sim.app")
sim_config = pytest.importorskip("pds_sim.config")
sim_synthetic = pytest.importorskip("pds_sim.synthetic")


def synthetic_numbers(count: int) -> list[str]:
    """Valid NHS numbers in the simulator's 999 range."""
    numbers = (f"999{n:07d}" for n in range(10**7))
    return list(islice(filter(is_valid_nhs_number, numbers), count))


def dd_mm_yyyy(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


async def test_batch_against_a_throttling_simulator_resolves_every_row() -> None:
    numbers = synthetic_numbers(15)
    rows = [
        make_row(i, n, dd_mm_yyyy(sim_synthetic.synthetic_patient(n)["birthDate"]))
        for i, n in enumerate(numbers, start=1)
    ]
    rows.append(make_row(16, numbers[0], "01/01/1900"))
    rows.append(make_row(17, "9434765919"))  # valid, outside the synthetic range: 404
    sim = sim_app.create_app(sim_config.Settings(synthetic=True, rate_limit=10))
    async with serve(sim) as url:
        # Faster than the simulator allows, so some attempts get 429 and must be retried.
        settings = IngestSettings(
            pds_base_url=url + sim_app.FHIR_BASE_PATH,
            pds_rate_limit=50,
            pds_retry_attempts=10,
            pds_backoff_initial_s=0.2,
            pds_backoff_max_s=1.0,
        )
        directory = build_directory(settings)
        publisher = FakePublisher()
        try:
            event = await resolve_rows(
                make_command(rows, correlation_id=uuid.uuid4()),
                Dependencies(directory, publisher, FixedClock()),
            )
        finally:
            await directory.aclose()
        async with httpx2.AsyncClient(base_url=url) as http:
            stats = (await http.get("/_sim/stats")).json()

    reasons = [o.reason_code for o in event.outcomes]
    assert reasons[:15] == [None] * 15
    assert reasons[15:] == [UploadReason.DATE_OF_BIRTH_MISMATCH, UploadReason.NOT_FOUND]
    for outcome, number in zip(event.outcomes, numbers, strict=False):
        assert outcome.patient is not None
        assert outcome.patient.nhs_number == number
        assert outcome.patient.contact.startswith("447700900")
    assert publisher.published == [event]
    assert stats["throttled"] > 0  # the 429s were retried, not reported as PDS_UNAVAILABLE
