"""`make run` on the in-memory store: a namespace of its own, gone when the run stops, so no
message of one run can meet the next run's empty store."""

import asyncio
import os
from pathlib import Path

import aio_pika
import pytest

from cohort_testing.ports import free_port
from cohort_testing.rabbit import rabbit_channel

from .paths import ROOT
from .readiness import answers_within, running, wait_ready

pytestmark = pytest.mark.e2e


async def queue_exists(url: str, name: str) -> bool:
    async with rabbit_channel(url) as channel:
        try:
            await channel.declare_queue(name, passive=True)
        except aio_pika.exceptions.ChannelClosed:
            return False
        return True


def exists(url: str, name: str) -> bool:
    return asyncio.run(queue_exists(url, name))


def test_a_run_without_mongodb_deletes_its_namespace_on_exit(
    rabbitmq_url: str, tmp_path: Path
) -> None:
    ports = {
        name: free_port()
        for name in (
            "GATEWAY",
            "CAMPAIGN",
            "INGEST",
            "DISPATCH",
            "RECORD",
            "MESH_SANDBOX",
            "FAKE_GP",
            "PATIENT",
            "GPCONNECT_SIM",
            "WEB",
        )
    }
    env = {k: v for k, v in os.environ.items() if k not in ("MONGODB_URL", "COHORT_NAMESPACE")}
    env.update({f"{name}_PORT": str(port) for name, port in ports.items()})
    env.update(
        {
            "RABBITMQ_URL": rabbitmq_url,
            "PDS_SIM_PORT": str(free_port()),
            "FIRETEXT_SIM_PORT": str(free_port()),
        }
    )
    log = tmp_path / "run.log"
    with running([str(ROOT / "scripts/run.sh")], env, log) as run:
        wait_ready([f"http://127.0.0.1:{ports['GATEWAY']}/readyz"], run, log, seconds=60)
        announced = log.read_text()
        namespace = announced.split("RabbitMQ namespace ")[1].split()[0]
        assert namespace.startswith("dev-")
        assert exists(rabbitmq_url, f"{namespace}.campaign.delivery-reported")
        for name in ("RECORD", "FAKE_GP", "PATIENT", "GPCONNECT_SIM", "WEB"):
            probe = "readyz" if name == "RECORD" else "healthz"
            assert answers_within(f"http://127.0.0.1:{ports[name]}/{probe}", 60), name
    assert not exists(rabbitmq_url, f"{namespace}.campaign.delivery-reported")
    assert not exists(rabbitmq_url, f"{namespace}.ehr.record-entries")
