"""Removing a namespace's exchanges and queues from the broker.

Test runs and ``make run`` on the in-process MongoDB stand-in use a namespace of their own and
delete it when they end: queued messages must not outlive the store they refer to, or the next
run would meet yesterday's receipts with an empty store. Usage:
``python -m cohort_platform.namespaces delete <namespace>``."""

import argparse
import asyncio
import sys

import aio_pika

from cohort_contracts.routing import (
    ALL_ROUTES,
    COMMANDS_EXCHANGE,
    DEAD_LETTER_EXCHANGE,
    EVENTS_EXCHANGE,
)

from .settings import RabbitSettings
from .topology import Topology


async def delete_namespace(settings: RabbitSettings) -> None:
    topology = Topology(settings)
    connection = await aio_pika.connect(settings.rabbitmq_url)
    async with connection:
        channel = await connection.channel()
        for route in ALL_ROUTES:
            await channel.queue_delete(topology.name(route.queue))
            await channel.queue_delete(topology.name(f"{route.queue}.dlq"))
        for exchange in (COMMANDS_EXCHANGE, EVENTS_EXCHANGE, DEAD_LETTER_EXCHANGE):
            await channel.exchange_delete(topology.name(exchange))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cohort_platform.namespaces")
    parser.add_argument("action", choices=["delete"])
    parser.add_argument("namespace")
    args = parser.parse_args(argv)
    settings = RabbitSettings(cohort_namespace=args.namespace)
    asyncio.run(delete_namespace(settings))
    sys.stdout.write(f"deleted RabbitMQ namespace {args.namespace}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
