"""`make run` on the in-memory store: a namespace of its own, gone when the run stops, so no
message of one run can meet the next run's empty store."""

import asyncio
import os
import signal
import subprocess
import time
from pathlib import Path

import aio_pika
import httpx2
import pytest

from cohort_testing.ports import free_port

from .stack import ROOT

pytestmark = pytest.mark.e2e


async def queue_exists(url: str, name: str) -> bool:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        try:
            await channel.declare_queue(name, passive=True)
        except aio_pika.exceptions.ChannelClosed:
            return False
        return True


def ready(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx2.get(url).status_code == 200:
                return True
        except httpx2.HTTPError:
            pass
        time.sleep(0.3)
    return False


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
    log = (tmp_path / "run.log").open("w+b")
    run = subprocess.Popen(
        [str(ROOT / "scripts/run.sh")],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert time.monotonic() < deadline, "gateway never became ready"
            assert run.poll() is None, (tmp_path / "run.log").read_text()
            try:
                if httpx2.get(f"http://127.0.0.1:{ports['GATEWAY']}/readyz").status_code == 200:
                    break
            except httpx2.HTTPError:
                pass
            time.sleep(0.3)
        announced = (tmp_path / "run.log").read_text()
        namespace = announced.split("RabbitMQ namespace ")[1].split()[0]
        assert namespace.startswith("dev-")
        assert exists(rabbitmq_url, f"{namespace}.campaign.delivery-reported")
        for name in ("RECORD", "FAKE_GP", "PATIENT", "GPCONNECT_SIM"):
            probe = "readyz" if name == "RECORD" else "healthz"
            assert ready(f"http://127.0.0.1:{ports[name]}/{probe}", 60), name
    finally:
        os.killpg(run.pid, signal.SIGINT)  # Ctrl-C
        run.wait(timeout=60)
    assert not exists(rabbitmq_url, f"{namespace}.campaign.delivery-reported")
    assert not exists(rabbitmq_url, f"{namespace}.ehr.record-entries")
