"""``cohort dlq`` against the real RabbitMQ: messages are dead-lettered the way the services do
it (rejected without requeue from a work queue), then listed, shown, replayed and purged."""

import io
import json
import subprocess
import sys
from collections.abc import AsyncIterator

import aio_pika
import pytest
from faststream.rabbit import RabbitBroker

from cohort_contracts.routing import RESOLVE_ROWS, ROWS_RESOLVED, Route
from cohort_platform.cli import PAYLOAD_WARNING, run
from cohort_platform.settings import RabbitSettings
from cohort_platform.testing import eventually, queue_depth, rabbit_namespace
from cohort_platform.topology import Topology
from cohort_testing.rabbit import rabbit_channel

pytestmark = pytest.mark.integration
PATIENT = b'{"nhs_number": "9434765919", "name": "Ann Smith"}'


@pytest.fixture
async def rabbit(rabbitmq_url: str) -> AsyncIterator[RabbitSettings]:
    async with rabbit_namespace(rabbitmq_url) as settings:
        broker = RabbitBroker(settings.rabbitmq_url, logger=None)
        await broker.connect()
        await Topology(settings).declare(broker)
        await broker.stop()
        yield settings


async def dead_letter(settings: RabbitSettings, route: Route, message_id: str) -> None:
    """Publish to the route's exchange, then reject the delivery as a failed handler would."""
    topology = Topology(settings)
    async with rabbit_channel(settings.rabbitmq_url) as channel:
        exchange = await channel.get_exchange(topology.name(route.exchange))
        await exchange.publish(
            aio_pika.Message(PATIENT, message_id=message_id, content_type="application/json"),
            routing_key=route.routing_key,
        )
        queue = await channel.get_queue(topology.name(route.queue))
        message = await queue.get(no_ack=False, timeout=5)
        assert message is not None
        await message.reject(requeue=False)
    dlq = f"{route.queue}.dlq"
    before = await queue_depth(settings, dlq)

    async def arrived() -> bool:
        return await queue_depth(settings, dlq) >= before

    await eventually(arrived)


async def cli(settings: RabbitSettings, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    args = ["--url", settings.rabbitmq_url, "--namespace", settings.cohort_namespace, *argv]
    code = await run(args, out, err)
    return code, out.getvalue(), err.getvalue()


async def wait_depth(settings: RabbitSettings, queue: str, depth: int) -> None:
    async def reached() -> bool:
        return await queue_depth(settings, queue) == depth

    await eventually(reached)


async def test_list_counts_every_dlq_with_its_reasons(rabbit: RabbitSettings) -> None:
    await dead_letter(rabbit, RESOLVE_ROWS, "m-1")
    await dead_letter(rabbit, RESOLVE_ROWS, "m-2")
    await wait_depth(rabbit, "ingest.resolve-rows.dlq", 2)

    code, out, _ = await cli(rabbit, "dlq", "list")

    assert code == 0
    lines = dict(line.split("\t", 1) for line in out.splitlines())
    assert lines[f"{rabbit.cohort_namespace}.ingest.resolve-rows.dlq"] == "2\trejected=2"
    assert lines[f"{rabbit.cohort_namespace}.campaign.rows-resolved.dlq"] == "0\t-"
    # Listing reads without consuming.
    assert await queue_depth(rabbit, "ingest.resolve-rows.dlq") == 2


async def test_show_gives_the_route_and_reason_and_the_payload_only_when_asked(
    rabbit: RabbitSettings,
) -> None:
    await dead_letter(rabbit, ROWS_RESOLVED, "m-1")
    await wait_depth(rabbit, "campaign.rows-resolved.dlq", 1)

    code, out, err = await cli(rabbit, "dlq", "show", "campaign.rows-resolved.dlq")

    assert code == 0
    [shown] = json.loads(out)
    assert shown["message_id"] == "m-1"
    assert shown["reason"] == "rejected"
    assert shown["routing_key"] == ROWS_RESOLVED.routing_key
    assert shown["exchange"] == f"{rabbit.cohort_namespace}.events"
    assert "payload" not in shown
    assert "9434765919" not in out + err

    code, out, err = await cli(rabbit, "dlq", "show", "campaign.rows-resolved", "--show-payload")
    assert json.loads(out)[0]["payload"] == PATIENT.decode()
    assert err == PAYLOAD_WARNING
    assert await queue_depth(rabbit, "campaign.rows-resolved.dlq") == 1


async def test_replay_publishes_each_chosen_message_once_to_its_original_key(
    rabbit: RabbitSettings,
) -> None:
    # Two copies of one message (at-least-once dead-lettering can make them) and another.
    await dead_letter(rabbit, RESOLVE_ROWS, "twice")
    await dead_letter(rabbit, RESOLVE_ROWS, "twice")
    await dead_letter(rabbit, RESOLVE_ROWS, "left")
    await wait_depth(rabbit, "ingest.resolve-rows.dlq", 3)

    code, out, _ = await cli(
        rabbit, "dlq", "replay", "ingest.resolve-rows.dlq", "--message-id", "twice"
    )

    assert code == 0
    assert "replayed twice" in out
    assert "removed 1 duplicate copies" in out
    await wait_depth(rabbit, "ingest.resolve-rows", 1)
    await wait_depth(rabbit, "ingest.resolve-rows.dlq", 1)
    async with rabbit_channel(rabbit.rabbitmq_url) as channel:
        queue = await channel.get_queue(Topology(rabbit).name(RESOLVE_ROWS.queue))
        message = await queue.get(timeout=5)
        assert message is not None
        assert message.message_id == "twice"
        assert message.body == PATIENT
        assert message.routing_key == RESOLVE_ROWS.routing_key
        assert "x-death" not in (message.headers or {})
        assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
        await message.ack()

    code, _, err = await cli(
        rabbit, "dlq", "replay", "ingest.resolve-rows.dlq", "--message-id", "twice"
    )
    assert code == 1
    assert "not found twice" in err
    assert await queue_depth(rabbit, "ingest.resolve-rows") == 0


async def test_purge_needs_yes_and_removes_only_what_was_chosen(rabbit: RabbitSettings) -> None:
    for message_id in ("a", "b", "c"):
        await dead_letter(rabbit, RESOLVE_ROWS, message_id)
    await wait_depth(rabbit, "ingest.resolve-rows.dlq", 3)

    code, _, err = await cli(rabbit, "dlq", "purge", "ingest.resolve-rows.dlq", "--all")
    assert code == 2
    assert "--yes" in err
    code, out, _ = await cli(
        rabbit, "dlq", "purge", "ingest.resolve-rows.dlq", "--message-id", "b", "--yes"
    )
    assert code == 0
    assert out.startswith("purged 1 ")
    shown = json.loads((await cli(rabbit, "dlq", "show", "ingest.resolve-rows.dlq"))[1])
    assert sorted(m["message_id"] for m in shown) == ["a", "c"]

    code, out, _ = await cli(rabbit, "dlq", "purge", "ingest.resolve-rows.dlq", "--all", "--yes")
    assert out.startswith("purged 2 ")
    assert await queue_depth(rabbit, "ingest.resolve-rows.dlq") == 0


async def test_an_unknown_queue_is_refused_with_the_names_of_the_real_ones(
    rabbit: RabbitSettings,
) -> None:
    code, _, err = await cli(rabbit, "dlq", "show", "no-such-queue")
    assert code == 2
    assert "ingest.resolve-rows.dlq" in err


def test_the_console_script_is_installed() -> None:
    script = subprocess.run(
        [sys.executable, "-m", "cohort_platform.cli", "dlq", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "replay" in script.stdout
