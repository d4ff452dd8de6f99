"""The deployment-wide PDS rate, shared among the ingest instances that have lookups to make,
through the real RabbitMQ: real ``python -m ingest`` processes, watched through their
/metrics, given batches whose lookups keep failing (PDS is a closed port, retried without
back-off) so that they stay busy for as long as the test needs; one is killed with SIGKILL."""

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager
from pathlib import Path

import httpx2
import pytest
from prometheus_client.parser import text_string_to_metric_families

from cohort_contracts.routing import RESOLVE_ROWS
from cohort_nhs import is_valid_nhs_number
from cohort_platform.broker import make_broker, publish
from cohort_platform.settings import RabbitSettings
from cohort_platform.testing import eventually, rabbit_namespace
from cohort_platform.topology import Topology
from cohort_testing.ports import free_port

from ..builders import make_command, make_row

pytestmark = pytest.mark.integration

TOTAL = 6.0


def valid_nhs_numbers(count: int) -> list[str]:
    candidates = (f"999{n:06d}{check}" for n in range(100_000) for check in range(10))
    numbers: list[str] = []
    for candidate in candidates:
        if is_valid_nhs_number(candidate):
            numbers.append(candidate)
            if len(numbers) == count:
                return numbers
    raise AssertionError("not enough valid NHS numbers")


Process = subprocess.Popen[bytes]
Publish = Callable[[int], Awaitable[None]]


@contextmanager
def ingest_process(rabbit: RabbitSettings, log_dir: Path) -> Iterator[tuple[int, Process]]:
    port = free_port()
    env = {
        **os.environ,
        "RABBITMQ_URL": rabbit.rabbitmq_url,
        "COHORT_NAMESPACE": rabbit.cohort_namespace,
        "INGEST_PORT": str(port),
        # Nothing listens there: every lookup fails at once and is tried again at once, so a
        # batch keeps its instance asking for PDS requests.
        "INGEST_PDS_BASE_URL": f"http://127.0.0.1:{free_port()}/personal-demographics/FHIR/R4",
        "INGEST_PDS_RETRY_ATTEMPTS": "20",
        "INGEST_PDS_BACKOFF_INITIAL_S": "0",
        "INGEST_PDS_RATE_LIMIT": str(TOTAL),
        "INGEST_PDS_RATE_REFRESH_S": "0.05",
        "INGEST_PDS_RATE_LEASE_S": "0.2",
        "INGEST_PDS_RATE_LINGER_S": "0.2",
    }
    with (log_dir / f"ingest-{port}.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "ingest"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            yield port, process
        finally:
            # No graceful stop: an instance would wait out its busy batch.
            process.kill()
            process.wait(timeout=10)


async def scraped_rate(http: httpx2.AsyncClient, port: int) -> float | None:
    try:
        response = await http.get(f"http://127.0.0.1:{port}/metrics/")
    except httpx2.TransportError:
        return None
    for family in text_string_to_metric_families(response.text):
        if family.name == "ingest_pds_rate_limit_per_second":
            return float(family.samples[0].value)
    return None


async def rates_become(http: httpx2.AsyncClient, ports: list[int], rates: list[float]) -> None:
    """Until the instances' shares are ``rates``, in whichever order."""

    async def reached() -> bool:
        scraped = [await scraped_rate(http, port) for port in ports]
        if any(rate is None for rate in scraped):
            return False
        return sorted(scraped) == pytest.approx(sorted(rates))  # type: ignore[type-var]

    await eventually(reached, seconds=30)


@asynccontextmanager
async def batches_to(rabbit: RabbitSettings) -> AsyncIterator[Publish]:
    """Publishes batches of 20 rows, each row a valid NHS number (so each is looked up)."""
    broker = make_broker(rabbit)
    topology = Topology(rabbit)
    await broker.connect()
    await topology.declare(broker)

    async def publish_batches(count: int) -> None:
        numbers = valid_nhs_numbers(20)
        for _ in range(count):
            rows = [make_row(n, number) for n, number in enumerate(numbers, start=1)]
            await publish(broker, topology, RESOLVE_ROWS, make_command(rows))

    try:
        yield publish_batches
    finally:
        await broker.stop()


async def test_an_instance_without_lookups_holds_no_share(
    rabbitmq_url: str, tmp_path: Path
) -> None:
    async with rabbit_namespace(rabbitmq_url) as rabbit, httpx2.AsyncClient() as http:
        with (
            ingest_process(rabbit, tmp_path) as (port_a, _),
            ingest_process(rabbit, tmp_path) as (port_b, _),
        ):
            await rates_become(http, [port_a, port_b], [0, 0])
            async with batches_to(rabbit) as publish_batches:
                await publish_batches(1)
                await rates_become(http, [port_a, port_b], [TOTAL, 0])


async def test_busy_processes_share_the_limit_and_absorb_one_killed(
    rabbitmq_url: str, tmp_path: Path
) -> None:
    async with rabbit_namespace(rabbitmq_url) as rabbit, httpx2.AsyncClient() as http:
        with ExitStack() as stack:
            started = [stack.enter_context(ingest_process(rabbit, tmp_path)) for _ in range(3)]
            ports = [port for port, _ in started]
            await rates_become(http, ports, [0, 0, 0])
            async with batches_to(rabbit) as publish_batches:
                await publish_batches(6)  # two each: the prefetch is 2
                await rates_become(http, ports, [TOTAL / 3] * 3)

                victim = started[2][1]
                victim.send_signal(signal.SIGKILL)  # the broker notices the socket close
                await asyncio.to_thread(victim.wait, 10)
                await rates_become(http, ports[:2], [TOTAL / 2] * 2)
