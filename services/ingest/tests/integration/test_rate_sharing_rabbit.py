"""The deployment-wide PDS rate, shared through the consumer count on the real work queue.

In process: instances wired as the app's lifespan wires them (consumer, token bucket, sharer
counting on its own connection). Across processes: real ``python -m ingest`` instances, one of
them killed with SIGKILL, watched through their /metrics."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import httpx2
import pytest
from prometheus_client.parser import text_string_to_metric_families

from cohort_contracts.routing import RESOLVE_ROWS
from cohort_platform.broker import make_broker
from cohort_platform.rabbit_consumers import RabbitConsumerCounter
from cohort_platform.settings import RabbitSettings
from cohort_platform.testing import eventually, rabbit_namespace
from cohort_platform.topology import Topology
from ingest.bootstrap import Adapters, bootstrap
from ingest.config import IngestSettings
from ingest.entrypoints.consumer import register_consumer

pytestmark = pytest.mark.integration

TOTAL = 6.0
SETTINGS = IngestSettings(pds_rate_limit=TOTAL, pds_rate_refresh_s=0.1)


@asynccontextmanager
async def ingest_instance(rabbit: RabbitSettings) -> AsyncIterator[Adapters]:
    """One instance's broker side, in the order entrypoints/app.py's lifespan uses."""
    broker = make_broker(rabbit, prefetch=SETTINGS.prefetch)
    topology = Topology(rabbit)
    adapters = bootstrap(SETTINGS, rabbit, broker, topology)
    register_consumer(broker, topology, adapters.dependencies)
    try:
        await broker.start()
        await topology.declare(broker)
        await adapters.rate_sharer.start()
        yield adapters
    finally:
        await adapters.rate_sharer.stop()
        await broker.stop()
        await adapters.aclose()


def rate_of(adapters: Adapters) -> float:
    return adapters.limiter.rate


async def rate_becomes(adapters: Adapters, rate: float) -> None:
    async def reached() -> bool:
        return rate_of(adapters) == pytest.approx(rate)

    await eventually(reached, seconds=5)


async def test_two_instances_each_take_half_and_the_survivor_all(rabbitmq_url: str) -> None:
    async with rabbit_namespace(rabbitmq_url) as rabbit, ingest_instance(rabbit) as first:
        async with ingest_instance(rabbit) as second:
            await rate_becomes(first, TOTAL / 2)
            await rate_becomes(second, TOTAL / 2)
            assert first.rate_sharer.consumers == second.rate_sharer.consumers == 2
        await rate_becomes(first, TOTAL)
        assert first.rate_sharer.consumers == 1


async def test_a_draining_instance_keeps_its_share(rabbitmq_url: str) -> None:
    async with rabbit_namespace(rabbitmq_url) as rabbit, ingest_instance(rabbit) as first:
        async with ingest_instance(rabbit) as second:
            await rate_becomes(second, TOTAL / 2)
            await second.rate_sharer.stop()  # what the lifespan does before broker.stop()
        await rate_becomes(first, TOTAL)
        assert rate_of(second) == TOTAL / 2


async def test_counter_reads_fresh_counts_and_survives_a_missing_queue(rabbitmq_url: str) -> None:
    async with rabbit_namespace(rabbitmq_url) as rabbit:
        counter = RabbitConsumerCounter(
            rabbit.rabbitmq_url, Topology(rabbit).name(RESOLVE_ROWS.queue)
        )
        try:
            with pytest.raises(Exception, match="NOT_FOUND"):
                await counter.consumers()  # nobody has declared the queue yet
            async with ingest_instance(rabbit):
                assert await counter.consumers() == 1
                async with ingest_instance(rabbit):
                    assert await counter.consumers() == 2
                assert await counter.consumers() == 1
        finally:
            await counter.aclose()


# --- separate processes -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


Process = subprocess.Popen[bytes]


@contextmanager
def ingest_process(rabbit: RabbitSettings, log_dir: Path) -> Iterator[tuple[int, Process]]:
    port = free_port()
    env = {
        **os.environ,
        "RABBITMQ_URL": rabbit.rabbitmq_url,
        "COHORT_NAMESPACE": rabbit.cohort_namespace,
        "INGEST_PORT": str(port),
        "INGEST_PDS_RATE_LIMIT": str(TOTAL),
        "INGEST_PDS_RATE_REFRESH_S": "0.2",
    }
    with (log_dir / f"ingest-{port}.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "ingest"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            yield port, process
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=40)


async def scraped_rate(http: httpx2.AsyncClient, port: int) -> float | None:
    try:
        response = await http.get(f"http://127.0.0.1:{port}/metrics/")
    except httpx2.TransportError:
        return None
    for family in text_string_to_metric_families(response.text):
        if family.name == "ingest_pds_rate_limit_per_second":
            return float(family.samples[0].value)
    return None


async def all_rates_become(http: httpx2.AsyncClient, ports: list[int], rate: float) -> None:
    async def reached() -> bool:
        rates = [await scraped_rate(http, port) for port in ports]
        return all(r is not None and r == pytest.approx(rate) for r in rates)

    await eventually(reached, seconds=20)


async def test_three_processes_share_the_limit_and_absorb_one_killed(
    rabbitmq_url: str, tmp_path: Path
) -> None:
    async with rabbit_namespace(rabbitmq_url) as rabbit, httpx2.AsyncClient() as http:
        with (
            ingest_process(rabbit, tmp_path) as (port_a, _),
            ingest_process(rabbit, tmp_path) as (port_b, _),
            ingest_process(rabbit, tmp_path) as (port_c, victim),
        ):
            await all_rates_become(http, [port_a, port_b, port_c], TOTAL / 3)
            victim.send_signal(signal.SIGKILL)  # no goodbye: the broker notices the socket close
            await asyncio.to_thread(victim.wait, 10)
            await all_rates_become(http, [port_a, port_b], TOTAL / 2)
