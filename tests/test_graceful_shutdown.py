"""The SIGTERM path Kubernetes takes on every rollout, scale-in and node drain, against the real
RabbitMQ: ingest, given SIGTERM while it resolves a batch, finishes that batch (its
``RowsResolved`` is published and the batch acked), stops taking new ones, and exits cleanly;
every batch it did not start stays in the queue and is resolved by the next instance. Nothing is
lost, nothing is done twice, nothing is dead-lettered."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import httpx2
import pytest

from cohort_contracts.ingest import ResolveRows, UploadedRow
from cohort_contracts.routing import RESOLVE_ROWS, ROWS_RESOLVED
from cohort_platform.broker import make_broker, publish
from cohort_platform.settings import RabbitSettings
from cohort_platform.testing import eventually, queue_depth, rabbit_namespace
from cohort_platform.topology import Topology
from cohort_testing.ports import free_port
from cohort_testing.rabbit import drain

from .e2e.sending_flow import pick

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[1]
BATCHES = 6
ROWS = 4
#: Each lookup takes this long at PDS and ingest makes one at a time: a batch takes ~1 s.
PDS_LATENCY_MS = 250
PREFETCH = 2


def _text(log: Path) -> str:
    return log.read_text()


@contextmanager
def process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        child = subprocess.Popen(
            [sys.executable, *args], env={**os.environ, **env}, stdout=out, stderr=out, cwd=ROOT
        )
        try:
            yield child
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()


async def ready(url: str, child: subprocess.Popen[bytes], log: Path) -> None:
    async with asyncio.timeout(30), httpx2.AsyncClient() as client:
        while True:
            if child.poll() is not None:
                raise AssertionError(f"exited early:\n{_text(log)}")
            try:
                if (await client.get(url, timeout=1)).status_code == 200:
                    return
            except httpx2.HTTPError:
                pass
            await asyncio.sleep(0.1)


@asynccontextmanager
async def pds(tmp_path: Path) -> AsyncIterator[str]:
    port = free_port()
    env = {
        "PDS_SIM_PORT": str(port),
        "PDS_SIM_SYNTHETIC": "1",
        "PDS_SIM_LATENCY_MS": str(PDS_LATENCY_MS),
    }
    log = tmp_path / "pds.log"
    with process(["-m", "pds_sim"], env, log) as child:
        await ready(f"http://127.0.0.1:{port}/healthz", child, log)
        yield f"http://127.0.0.1:{port}/personal-demographics/FHIR/R4"


def ingest_env(rabbit: RabbitSettings, pds_url: str, port: int) -> dict[str, str]:
    return {
        "RABBITMQ_URL": rabbit.rabbitmq_url,
        "COHORT_NAMESPACE": rabbit.cohort_namespace,
        "COHORT_GRACEFUL_TIMEOUT_S": "20",
        "INGEST_PORT": str(port),
        "INGEST_PDS_BASE_URL": pds_url,
        "INGEST_PDS_RATE_LIMIT": "1000",
        "INGEST_PDS_CONCURRENCY": "1",
        "INGEST_PREFETCH": str(PREFETCH),
    }


async def queue_batches(rabbit: RabbitSettings) -> None:
    patients = pick(BATCHES * ROWS, "9990002")
    broker = make_broker(rabbit)
    topology = Topology(rabbit)
    await broker.connect()
    await topology.declare(broker)
    correlation, campaign, listing = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for batch in range(BATCHES):
        rows = [
            UploadedRow(
                row_number=batch * ROWS + i + 1,
                nhs_number=p.nhs_number,
                date_of_birth=p.birth_date.strftime("%d/%m/%Y"),
                cells=[],
            )
            for i, p in enumerate(patients[batch * ROWS : (batch + 1) * ROWS])
        ]
        command = ResolveRows(
            correlation_id=correlation,
            org_id="A81001",
            campaign_id=campaign,
            list_id=listing,
            channel="sms",
            batch_number=batch,
            rows=rows,
        )
        await publish(broker, topology, RESOLVE_ROWS, command)
    await broker.stop()


async def resolved_batches(rabbit: RabbitSettings) -> list[int]:
    """Every ``RowsResolved`` waiting for campaign (which is not running here), by batch."""
    found = []
    for message in await drain(rabbit.rabbitmq_url, Topology(rabbit).name(ROWS_RESOLVED.queue)):
        body = json.loads(message.body)
        assert len(body["outcomes"]) == ROWS
        found.append(int(body["batch_number"]))
    return found


async def test_sigterm_finishes_the_batch_in_hand_and_leaves_the_rest_queued(
    rabbitmq_url: str, tmp_path: Path
) -> None:
    async with rabbit_namespace(rabbitmq_url) as rabbit, pds(tmp_path) as pds_url:
        await queue_batches(rabbit)
        first_port, second_port = free_port(), free_port()
        first_log = tmp_path / "ingest-1.log"
        with process(["-m", "ingest"], ingest_env(rabbit, pds_url, first_port), first_log) as first:
            await ready(f"http://127.0.0.1:{first_port}/readyz", first, first_log)

            async def one_done() -> bool:
                return await queue_depth(rabbit, ROWS_RESOLVED.queue) >= 1

            await eventually(one_done, 30)
            done_at_sigterm = await queue_depth(rabbit, ROWS_RESOLVED.queue)
            first.send_signal(signal.SIGTERM)
            code = await asyncio.to_thread(first.wait, 40)

        # uvicorn re-raises the SIGTERM once shut down: 143 to Kubernetes, a clean stop.
        assert code in (0, -signal.SIGTERM), _text(first_log)
        assert "Application shutdown complete" in _text(first_log)
        finished = await queue_depth(rabbit, ROWS_RESOLVED.queue)
        # The batches in hand when SIGTERM came (one, or two with INGEST_PREFETCH=2) were
        # finished and reported...
        assert done_at_sigterm + 1 <= finished <= done_at_sigterm + PREFETCH, _text(first_log)
        # ... and acked; every batch not finished is back in the queue, none dead-lettered.
        assert await queue_depth(rabbit, RESOLVE_ROWS.queue) == BATCHES - finished
        assert await queue_depth(rabbit, f"{RESOLVE_ROWS.queue}.dlq") == 0

        second_log = tmp_path / "ingest-2.log"
        env = ingest_env(rabbit, pds_url, second_port)
        with process(["-m", "ingest"], env, second_log) as second:

            async def all_done() -> bool:
                return await queue_depth(rabbit, ROWS_RESOLVED.queue) == BATCHES

            await eventually(all_done, 60)
            second.send_signal(signal.SIGTERM)
            assert await asyncio.to_thread(second.wait, 40) in (0, -signal.SIGTERM)

        assert sorted(await resolved_batches(rabbit)) == list(range(BATCHES))
        assert await queue_depth(rabbit, RESOLVE_ROWS.queue) == 0
        assert await queue_depth(rabbit, f"{RESOLVE_ROWS.queue}.dlq") == 0
