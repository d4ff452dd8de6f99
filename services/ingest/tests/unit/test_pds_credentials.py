"""PDS refusing our credentials (401 after a fresh token, 403) is a configuration fault, not an
outage (issue 15, part 1): lookups are held with an operator-facing error, and carry on when
PDS accepts the credentials again, with no row failed for it."""

import asyncio
import logging
import uuid

import httpx2
import pytest

from cohort_contracts.vocabulary import UploadReason
from ingest.adapters.credential_hold import CredentialHold, HoldTimes
from ingest.bootstrap import build_directory
from ingest.domain.patient import PdsPatient
from ingest.ports import LookupContext

from ..fhir import NHS_NUMBER, make_patient, operation_outcome
from ..lookups import waiting_lookups
from ..metrics import sample
from ..pds_stub import PdsStub, Reply
from .test_pds_adapter import fast_settings

CONTEXT = LookupContext(correlation_id=str(uuid.uuid4()), org_id="A81001")
OTHERS = ["9434765870", "9434765919", "9000000009"]
DENIED = {
    401: Reply(401, operation_outcome("ACCESS_DENIED"), content_type="application/json"),
    403: Reply(403, operation_outcome("INVALID_VALUE")),
}


@pytest.mark.parametrize("status", [401, 403])
async def test_refused_credentials_hold_every_lookup_then_all_carry_on(
    status: int, caplog: pytest.LogCaptureFixture
) -> None:
    stub = PdsStub(patients={n: make_patient(id=n) for n in [NHS_NUMBER, *OTHERS]})
    # Every number is refused three times (the fault lasts a while), then served.
    for number in [NHS_NUMBER, *OTHERS]:
        stub.scripts[number] = [DENIED[status]] * 3
    pds = build_directory(fast_settings(), transport=httpx2.ASGITransport(app=stub.app()))
    try:
        with caplog.at_level(logging.WARNING, logger="ingest.pds"):
            results = await asyncio.gather(*(pds.lookup(n, CONTEXT) for n in [NHS_NUMBER, *OTHERS]))
    finally:
        await pds.aclose()

    assert all(isinstance(r, PdsPatient) for r in results)
    assert UploadReason.PDS_UNAVAILABLE not in results
    refusals = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert refusals
    assert all(r.getMessage().startswith("ingest_pds_credentials_refused") for r in refusals)
    assert {r.__dict__["status"] for r in refusals} == {status}
    assert "carry on" in caplog.records[-1].getMessage()
    assert sample("ingest_pds_credentials_refused") == 0
    logged = repr([r.__dict__ for r in caplog.records])
    for number in [NHS_NUMBER, *OTHERS]:
        assert number not in logged


async def test_while_refused_one_lookup_at_a_time_tries_again() -> None:
    """A held list does not hammer PDS: after the first refusals, the rest wait for one probe."""
    stub = PdsStub(patients={n: make_patient(id=n) for n in OTHERS})
    probes_done = asyncio.Event()
    pauses = 0

    async def pause(_: float) -> None:
        nonlocal pauses
        pauses += 1
        if pauses == 5:
            probes_done.set()
        await asyncio.sleep(0)

    for number in OTHERS:
        stub.scripts[number] = [DENIED[401]] * 100
    pds = build_directory(
        fast_settings(),
        transport=httpx2.ASGITransport(app=stub.app()),
        hold=CredentialHold(HoldTimes(), sleep=pause),
    )
    async with waiting_lookups(pds, OTHERS, CONTEXT):
        await asyncio.wait_for(probes_done.wait(), 5)
        seen = len(stub.seen)
        assert sample("ingest_pds_credentials_refused") == 1

    # One first try per lookup, then one request per probe (five pauses, five probes at most).
    assert seen <= len(OTHERS) + 5
