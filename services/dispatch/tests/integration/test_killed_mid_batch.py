"""A real ``python -m dispatch`` killed (SIGKILL) in the middle of a batch, and a second one
that gets the batch redelivered: no handset receives anything twice. Counted where it matters,
in the Firetext simulator's record of what each handset received."""

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx2
import pytest

from cohort_contracts.routing import SEND_MESSAGES
from cohort_platform.settings import RabbitSettings
from cohort_platform.testing import eventually, queue_depth
from cohort_testing.ports import free_port

from ..builders import make_sms_batch
from ..fakes import FakeCampaignClaims
from .campaign_double import campaign_double
from .conftest import eventually as wait_until
from .simulator import firetext_simulator

pytestmark = pytest.mark.integration

CHUNK = 10
Process = asyncio.subprocess.Process


@asynccontextmanager
async def dispatch_process(
    rabbit: RabbitSettings, firetext_url: str, log: Path
) -> AsyncIterator[Process]:
    port = free_port()
    env = {
        **os.environ,
        "RABBITMQ_URL": rabbit.rabbitmq_url,
        "COHORT_NAMESPACE": rabbit.cohort_namespace,
        "COHORT_DELIVERY_LIMIT": str(rabbit.cohort_delivery_limit),
        "COHORT_RPC_TIMEOUT_S": str(rabbit.cohort_rpc_timeout_s),
        "DISPATCH_PORT": str(port),
        "DISPATCH_FIRETEXT_BASE_URL": firetext_url,
        "DISPATCH_CHUNK_SIZE": str(CHUNK),
        "DISPATCH_CONCURRENCY": "2",
        "DISPATCH_SMS_RATE_LIMIT": "1000",
    }
    with log.open("ab") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "dispatch", env=env, stdout=out, stderr=asyncio.subprocess.STDOUT
        )
    try:
        await ready(port, process)
        yield process
    finally:
        if process.returncode is None:
            process.terminate()
            await asyncio.wait_for(process.wait(), 40)


async def ready(port: int, process: Process) -> None:
    """Polled without blocking the loop: the campaign double on it must answer claims."""

    async def answers() -> bool:
        if process.returncode is not None:
            pytest.fail(f"dispatch exited with {process.returncode}")
        try:
            response = await http.get(f"http://127.0.0.1:{port}/readyz")
        except httpx2.TransportError:
            return False
        return response.status_code == 200

    async with httpx2.AsyncClient(timeout=1) as http:
        await eventually(answers, seconds=30)


async def test_a_batch_redelivered_after_a_kill_messages_no_handset_twice(
    rabbit: RabbitSettings, tmp_path: Path
) -> None:
    # Identical texts (grouped) and personalised ones (alone), to distinct handsets.
    bodies = [
        "The flu clinic is on Saturday." if i % 2 else f"Hello patient {i}, book a review."
        for i in range(60)
    ]
    cmd = make_sms_batch(bodies)
    ids = [m.recipient_id for m in cmd.messages]
    claims = FakeCampaignClaims(ids)
    log = tmp_path / "dispatch.log"

    # Slow enough (100 ms a request, 2 at a time) to be killed mid-batch; no receipts.
    async with (
        firetext_simulator(latency_ms=100, receipt_delay_ms=600_000) as sim,
        campaign_double(rabbit, claims) as campaign,
    ):
        async with dispatch_process(rabbit, sim.url, log) as first:
            await campaign.send(SEND_MESSAGES, cmd)

            async def mid_batch() -> bool:
                return len(await sim.messages()) >= 15

            await eventually(mid_batch, seconds=20)
            first.send_signal(signal.SIGKILL)  # no goodbye: the batch stays unacked
            await asyncio.wait_for(first.wait(), 10)
        killed_at = len(await sim.messages())
        assert killed_at < len(ids), "the first process finished before it was killed"

        async with dispatch_process(rabbit, sim.url, log):
            await wait_until(
                lambda: any(o.recipient_id == ids[-1] for o in campaign.outcomes()),
                within_s=30,
            )
            assert await queue_depth(rabbit, f"{SEND_MESSAGES.queue}.dlq") == 0

        handsets = await sim.per_handset()

    assert max(handsets.values()) == 1, "a handset received a message twice"
    assert len(handsets) > killed_at  # the second process sent the rest
    assert claims.claims_per_recipient == dict.fromkeys(ids, 1)
    number_of = {m.recipient_id: m.to for m in cmd.messages}
    sent = {o.recipient_id for o in campaign.outcomes() if o.status == "sent"}
    assert {number_of[r] for r in sent} <= set(handsets)
    # Only the chunk the kill interrupted can hold recipients nobody reported: claimed, maybe
    # sent, and left `sending` for campaign to settle from receipts; never sent again.
    unreported = set(ids) - sent
    assert len(unreported) <= CHUNK
    assert all(
        o.status == "not_claimed" for o in campaign.outcomes() if o.recipient_id in unreported
    )
    # The batch really ran twice, and each run claimed its first chunk at the first try.
    assert sum(r.recipient_ids[0] == ids[0] for r in campaign.claim_requests) == 2
