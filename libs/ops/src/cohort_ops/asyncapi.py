"""The combined AsyncAPI document, ``docs/asyncapi.yaml``: every service's subscribers, as each
service registers them (the same ``register`` functions its process calls), in the default
namespace. Every route has exactly one consuming service, so this is every message.

``python -m cohort_ops.asyncapi --write`` regenerates it; ``tests/test_operator_docs.py`` fails
when the checked-in file differs from what the code generates."""

from pathlib import Path
from typing import Any

import yaml
from faststream.rabbit import RabbitBroker

from campaign.entrypoints.consumer import register as register_campaign
from cohort_platform.asyncapi import specification
from cohort_platform.settings import RabbitSettings
from cohort_platform.topology import Topology
from dispatch.entrypoints.consumer import register as register_dispatch
from dispatch.handlers.deps import Deps as DispatchDeps
from ingest.entrypoints.consumer import register_consumer as register_ingest
from record.entrypoints.consumer import register as register_record

from .generated import print_or_write

ROOT = Path(__file__).resolve().parents[4]
DOCUMENT = ROOT / "docs" / "asyncapi.yaml"
#: Where the document says the broker is; credentials are never part of it.
SERVER = "amqp://rabbitmq:5672/"
#: Registration wires handlers to queues; it never touches their dependencies.
_UNUSED: Any = None


def brokers() -> list[RabbitBroker]:
    topology = Topology(RabbitSettings(cohort_namespace="cohort"))
    ingest, campaign, dispatch, record = (RabbitBroker(SERVER) for _ in range(4))
    register_ingest(ingest, topology, _UNUSED)
    register_campaign(campaign, topology, _UNUSED, _UNUSED)
    register_dispatch(dispatch, topology, DispatchDeps(sending=_UNUSED, credit=_UNUSED))
    register_record(record, topology, _UNUSED)
    return [ingest, campaign, dispatch, record]


def generate() -> str:
    """FastStream lists channels in no fixed order, so keys are sorted: the same code always
    gives the same text."""
    document = specification("Cohort", *brokers()).to_specification().to_jsonable()
    return yaml.safe_dump(document, sort_keys=True, allow_unicode=True, width=100)


def main(argv: list[str] | None = None) -> int:
    return print_or_write("python -m cohort_ops.asyncapi", DOCUMENT, generate, argv)


if __name__ == "__main__":
    raise SystemExit(main())
