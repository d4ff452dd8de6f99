"""Two campaign instances on one store: leases and claims make each piece of work happen once.

Each "instance" here is its own ``Deps`` (its own instance id and publisher) over the same
database, which is what two campaign processes on one MongoDB are."""

import asyncio
from collections import Counter
from datetime import UTC, datetime

import pytest
from time_machine import TimeMachineFixture

from campaign.adapters.mongo_database import MongoHandle
from campaign.bootstrap import build_store_deps
from campaign.entrypoints.outbox import OutboxDrainer
from campaign.handlers import receipts
from campaign.handlers import release as releasing
from campaign.handlers.deps import Deps
from campaign.ports.recipients import RecipientListing
from cohort_contracts.vocabulary import RecipientStatus
from cohort_mongo import MongoLeases

from ..builders import ORG, make_renderer
from ..fakes import FakeCreditSource, FakePublisher
from .helpers import (
    claim,
    delivery_reported,
    published_entries,
    release_now,
    released_ids,
    sending,
    stored_campaign,
)


def instance(mongo: MongoHandle, batch: int = 3) -> tuple[Deps, FakePublisher]:
    publisher = FakePublisher()
    deps = build_store_deps(
        mongo, publisher, FakeCreditSource(), make_renderer(), release_batch_size=batch
    )
    return deps, publisher


def sent_ids(*publishers: FakePublisher) -> Counter[str]:
    return Counter(rid for p in publishers for rid in released_ids(p))


def record_entries(*publishers: FakePublisher) -> Counter[str]:
    return Counter(e.recipient_id for e in published_entries(*publishers))


async def test_a_lease_has_one_holder_until_it_expires_or_is_released(
    mongo: MongoHandle, time_machine: TimeMachineFixture
) -> None:
    # Expiry is judged by the wall clock: stand it still and move it by hand.
    time_machine.move_to(datetime.now(UTC), tick=False)
    leases = MongoLeases(mongo)
    assert await leases.acquire("outbox", "a", ttl_s=60)
    assert not await leases.acquire("outbox", "b", ttl_s=60)
    assert await leases.acquire("outbox", "a", ttl_s=5)  # renewing one's own
    time_machine.shift(4.9)
    assert not await leases.acquire("outbox", "b", ttl_s=60)  # not lapsed yet
    time_machine.shift(0.2)
    assert await leases.acquire("outbox", "b", ttl_s=60)  # a's lapsed: b takes over
    assert not await leases.acquire("outbox", "a", ttl_s=60)
    await leases.release("outbox", "a")  # not a's to release: nothing happens
    assert not await leases.acquire("outbox", "a", ttl_s=60)
    await leases.release("outbox", "b")
    assert await leases.acquire("outbox", "a", ttl_s=60)


async def test_racing_instances_take_a_free_lease_once(mongo: MongoHandle) -> None:
    leases = MongoLeases(mongo)
    won = await asyncio.gather(*(leases.acquire("sweep", f"i{n}", ttl_s=60) for n in range(6)))
    assert won.count(True) == 1


async def test_two_instances_releasing_one_campaign_queue_each_recipient_once(
    mongo: MongoHandle,
) -> None:
    (a, sent_a), (b, sent_b) = instance(mongo), instance(mongo)
    campaign_id = await sending(a, 10)
    campaign = await stored_campaign(a, campaign_id)

    first, second = await asyncio.gather(
        releasing.release(campaign, a), releasing.release(campaign, b)
    )
    # Whichever did not get the lease in time comes back on its next sweep; here, at once.
    again = await releasing.release(campaign, b)

    assert first + second + again == 10
    assert set(sent_ids(sent_a, sent_b).values()) == {1}
    assert sum(sent_ids(sent_a, sent_b).values()) == 10


async def test_an_orphaned_batch_is_republished_by_one_sweeping_instance(
    mongo: MongoHandle, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(datetime.now(UTC), tick=False)
    (a, sent_a), (b, sent_b) = instance(mongo), instance(mongo)
    campaign_id = await sending(a, 3)
    campaign = await stored_campaign(a, campaign_id)
    a.publisher.fail_next = 1  # type: ignore[attr-defined]
    with pytest.raises(ConnectionError):  # "crashed" after queuing, before publishing
        await releasing.release(campaign, a)

    # Older than the grace period by more than MongoDB's millisecond dates can blur; the clock
    # then stands still, so a claim that re-arms opened_at excludes the other instance. (With
    # a grace period of 0 it would not: its cut-off, "now", is already past the re-armed time.)
    time_machine.shift(1)
    healed = await asyncio.gather(
        releasing.republish_unpublished(a, older_than_s=0.01),
        releasing.republish_unpublished(b, older_than_s=0.01),
    )

    assert sorted(healed) == [0, 3]
    assert sum(sent_ids(sent_a, sent_b).values()) == 3


async def test_two_outbox_drainers_publish_each_record_entry_once(mongo: MongoHandle) -> None:
    (a, sent_a), (b, sent_b) = instance(mongo, batch=50), instance(mongo, batch=50)
    campaign_id = await sending(a, 40)
    await release_now(a, campaign_id)
    ids = list(sent_ids(sent_a))
    await claim(a, campaign_id, ids)
    drainers = [OutboxDrainer(a, batch=7), OutboxDrainer(b, batch=7)]

    async def deliver(deps: Deps, rid: str) -> None:
        await receipts.record_delivery(
            delivery_reported("delivered", recipient_id=rid),
            deps,
        )

    # Receipts land on both instances while both drainers run.
    for start in range(0, 40, 8):
        chunk = ids[start : start + 8]
        await asyncio.gather(
            *(deliver(a if i % 2 else b, rid) for i, rid in enumerate(chunk)),
            *(d.drain_once() for d in drainers),
        )
    while sum(await asyncio.gather(*(d.drain_once() for d in drainers))):
        pass

    entries = record_entries(sent_a, sent_b)
    assert set(entries) == set(ids)
    assert set(entries.values()) == {1}
    assert await a.recipients.count_pending_record_entries() == 0
    assert await a.recipients.counts(campaign_id) == {RecipientStatus.DELIVERED: 40}


async def test_a_second_instance_drains_once_the_first_has_gone(
    mongo: MongoHandle, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(datetime.now(UTC), tick=False)  # leases lapse by the wall clock
    (a, _), (b, sent_b) = instance(mongo, batch=5), instance(mongo, batch=5)
    campaign_id = await sending(a, 2)
    await release_now(a, campaign_id)
    listing = RecipientListing(ORG, campaign_id)
    await claim(a, campaign_id, [r.id for r in (await a.recipients.page(listing, 0, 5))[0]])
    first, second = OutboxDrainer(a, lease_s=30), OutboxDrainer(b, lease_s=30)
    assert await first.drain_once() == 0  # a holds the lease, then dies without a word
    for r in (await a.recipients.page(listing, 0, 5))[0]:
        await receipts.record_delivery(
            delivery_reported("delivered", recipient_id=r.id),
            b,
        )

    time_machine.shift(29)
    assert await second.drain_once() == 0  # not b's turn while a's lease stands
    time_machine.shift(2)
    assert await second.drain_once() == 2
    assert sum(record_entries(sent_b).values()) == 2
