"""What the save-to-record tests share: reads of the fake GP system's practice mailboxes and of
each recipient's record status, and republishing record entries as a redelivery would."""

import asyncio
from collections import Counter
from typing import Any

from cohort_contracts.routing import RECORD_ENTRIES
from cohort_contracts.sending import RecordEntryRequested
from cohort_platform.broker import make_broker, publish
from cohort_platform.settings import RabbitSettings
from cohort_platform.topology import Topology

from .stack import Stack


def documents(stack: Stack) -> list[dict[str, Any]]:
    assert stack.fake_gp is not None
    return stack.fake_gp.documents()


def per_reference(stack: Stack) -> Counter[str]:
    """How many documents reached the practice mailboxes for each record entry."""
    return Counter(str(d["sender_reference"] or d["local_id"]) for d in documents(stack))


async def _republish(stack: Stack, events: list[RecordEntryRequested]) -> None:
    rabbit = RabbitSettings(rabbitmq_url=stack.rabbitmq_url, cohort_namespace=stack.namespace)
    broker = make_broker(rabbit)
    await broker.connect()
    try:
        topology = Topology(rabbit)
        for event in events:
            await publish(broker, topology, RECORD_ENTRIES, event)
    finally:
        await broker.stop()


def republish(stack: Stack, events: list[RecordEntryRequested]) -> None:
    asyncio.run(_republish(stack, events))


def record_statuses(recipients: list[dict[str, Any]]) -> Counter[tuple[str, str | None]]:
    return Counter(
        (str(r["record_status"]), r["record_reason_code"]) for r in recipients if r["record_status"]
    )
