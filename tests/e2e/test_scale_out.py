"""The 1,000-patient campaign with two instances of every service on one namespace.

Every handset gets exactly one message, every delivered patient exactly one save-to-record
entry, and every dead-letter queue is empty at the end. With a real MongoDB the two campaign
instances are two processes; on the in-process stand-in they share one process (and store),
each with its own broker connection, consumers, releaser and outbox drainer."""

import asyncio
import json
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from cohort_contracts.routing import ALL_ROUTES, RECORD_ENTRIES
from cohort_platform.settings import RabbitSettings
from cohort_platform.topology import Topology
from cohort_testing.rabbit import drain, rabbit_channel

from . import sending_flow as flow
from .own_stack import running
from .patients import build
from .stack import Stack

pytestmark = pytest.mark.e2e

TWO_OF_EACH = {"campaign": 2, "ingest": 2, "dispatch": 2, "gateway": 2}


@pytest.fixture(params=["standin", "mongodb"])
def scaled(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    store = "standin" if request.param == "standin" else request.getfixturevalue("mongodb_url")
    configured = Stack(
        log_dir=tmp_path_factory.mktemp("scale-out"),
        extra_env={"CAMPAIGN_SWEEP_INTERVAL_S": "1"},
        instances=TWO_OF_EACH,
        store=store,
    )
    with running(configured) as stack:
        yield stack


async def _declared(stack: Stack, queues: list[str]) -> dict[str, tuple[int, int]]:
    """(messages ready, consumers) per queue."""
    async with rabbit_channel(stack.rabbitmq_url) as channel:
        underlay = await channel.get_underlay_channel()
        found = {}
        for name in queues:
            result = await underlay.queue_declare(name, passive=True)
            found[name] = (int(result.message_count or 0), int(result.consumer_count or 0))
        return found


def outbox_backlog(stack: Stack) -> float:
    """Entries waiting in the save-to-record outbox, as the campaign instances report it."""
    backlog = 0.0
    for name in ("campaign", "campaign-2"):
        metrics = httpx2.get(f"{stack.url(name)}/metrics", timeout=10, follow_redirects=True)
        for line in metrics.text.splitlines():
            if line.startswith("campaign_outbox_backlog "):
                backlog = max(backlog, float(line.split()[1]))
    return backlog


def _depths(stack: Stack, queues: list[str]) -> dict[str, int]:
    return {q: ready for q, (ready, _) in asyncio.run(_declared(stack, queues)).items()}


def test_two_of_every_service_send_each_patient_one_message_and_one_record_entry(
    scaled: Stack,
) -> None:
    topology = Topology(RabbitSettings(cohort_namespace=scaled.namespace))
    work_queues = [topology.name(r.queue) for r in ALL_ROUTES if r.consumer != "record"]
    consumers = {q: n for q, (_, n) in asyncio.run(_declared(scaled, work_queues)).items()}
    assert set(consumers.values()) == {2}, consumers  # two live instances on every queue
    expected = build(1000)
    api = flow.api(scaled)
    second_gateway = httpx2.Client(
        base_url=scaled.url("gateway-2"), headers=dict(api.headers), timeout=30.0
    )
    campaign_id = api.post("/v1/campaigns", json={"name": "Flu", "type": "basic"}).json()["id"]
    list_url = flow.post_list(api, campaign_id, expected.csv_bytes, filename="flu.csv")
    # Read through the other gateway: any instance answers for any request.
    progress = flow.resolved_list(second_gateway, list_url, seconds=120.0)
    assert progress["succeeded"] == expected.resolved
    api.put(f"/v1/campaigns/{campaign_id}/message", json={"body": "Hello ((first_name))."})
    sent = flow.send(second_gateway, campaign_id, expected.resolved)
    assert sent.status_code == 202, sent.text

    def settled() -> list[dict[str, Any]] | None:
        recipients = flow.recipients(api, campaign_id)
        return recipients if all(r["status"] == "delivered" for r in recipients) else None

    recipients = flow.wait_for("every recipient to be delivered", settled, seconds=240)
    assert len(recipients) == expected.resolved

    handsets = httpx2.get(f"{scaled.url('firetext')}/_sim/messages", timeout=30).json()
    assert Counter(m["to"] for m in handsets) == Counter(r["contact"] for r in recipients)

    record_queue = topology.name(RECORD_ENTRIES.queue)

    entries: list[dict[str, Any]] = []

    def drain_entries() -> None:
        for m in asyncio.run(drain(scaled.rabbitmq_url, record_queue)):
            entries.extend(json.loads(m.body)["entries"])

    def every_entry_published() -> bool:
        drain_entries()
        return {e["recipient_id"] for e in entries} >= {r["id"] for r in recipients}

    # Waits for what it proves (an entry for every recipient), not for a metric's next report.
    flow.wait_for("every record entry to be published", every_entry_published, seconds=60)
    flow.wait_for("the outboxes to report empty", lambda: outbox_backlog(scaled) == 0, 30)
    time.sleep(2.0)  # a duplicate, if there were one, would follow within the drain interval
    drain_entries()
    per_recipient = Counter(e["recipient_id"] for e in entries)
    assert set(per_recipient) == {r["id"] for r in recipients}
    assert set(per_recipient.values()) == {1}

    dead_letters = [topology.name(f"{route.queue}.dlq") for route in ALL_ROUTES]
    assert set(_depths(scaled, dead_letters).values()) == {0}

    campaign = api.get(f"/v1/campaigns/{campaign_id}").json()
    assert campaign["status"] == "completed"
    assert campaign["counts"]["delivered"] == expected.resolved
