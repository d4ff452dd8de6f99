"""The repository contract, run against every MongoDB available (see ``conftest.STORES``)."""

import asyncio
import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from campaign.adapters.mongo_database import MongoHandle
from campaign.adapters.mongo_recipients import MongoRecipientRepository
from campaign.domain.model import Recipient
from cohort_contracts.vocabulary import RecipientStatus

from ..builders import ORG, nhs_number


def recipient(
    campaign_id: uuid.UUID, row: int, *, nhs: str | None = None, **kw: object
) -> Recipient:
    fields: dict[str, object] = {
        "id": uuid.uuid4().hex,
        "org_id": ORG,
        "campaign_id": campaign_id,
        "list_id": uuid.UUID(int=1),
        "row_number": row,
        "nhs_number": nhs or nhs_number(row),
        "given_name": "Ann",
        "family_name": "Example",
        "channel": "sms",
        "contact": "447700900123",
        "status": RecipientStatus.READY,
        "updated_at": datetime.now(UTC),
    }
    fields.update(kw)
    return Recipient(**fields)  # type: ignore[arg-type]


async def test_one_recipient_per_patient_per_campaign(mongo: MongoHandle) -> None:
    repo = MongoRecipientRepository(mongo)
    campaign = uuid.uuid4()
    first = recipient(campaign, 1, nhs=nhs_number(7))
    assert await repo.add_unique([first]) == {}
    again = recipient(campaign, 1, nhs=nhs_number(7), id=first.id)
    assert await repo.add_unique([again]) == {}  # the same row redelivered
    other_row = recipient(campaign, 2, nhs=nhs_number(7))
    assert await repo.add_unique([other_row]) == {other_row.id: first.id}
    elsewhere = recipient(uuid.uuid4(), 2, nhs=nhs_number(7))
    assert await repo.add_unique([elsewhere]) == {}  # another campaign may message them


async def test_racing_claims_never_share_a_recipient(mongo: MongoHandle) -> None:
    repo = MongoRecipientRepository(mongo)
    campaign = uuid.uuid4()
    people = [recipient(campaign, i, status=RecipientStatus.QUEUED) for i in range(1, 41)]
    await repo.add_unique(people)
    ids = [p.id for p in people]

    claims = await asyncio.gather(*(repo.claim(ORG, campaign, ids) for _ in range(8)))
    taken = [i for claim in claims for i in claim]
    assert sorted(taken) == sorted(ids)


async def test_claims_are_scoped_to_the_organisation(mongo: MongoHandle) -> None:
    repo = MongoRecipientRepository(mongo)
    campaign = uuid.uuid4()
    person = recipient(campaign, 1, status=RecipientStatus.QUEUED)
    await repo.add_unique([person])
    assert await repo.claim("B82002", campaign, [person.id]) == []
    assert await repo.claim(ORG, campaign, [person.id]) == [person.id]


async def test_transitions_only_from_the_states_they_may_come_from(mongo: MongoHandle) -> None:
    repo = MongoRecipientRepository(mongo)
    campaign = uuid.uuid4()
    person = recipient(campaign, 1)
    await repo.add_unique([person])

    assert not await repo.transition(ORG, person.id, RecipientStatus.DELIVERED)  # still ready
    assert await repo.transition(ORG, person.id, RecipientStatus.CANCELLED)
    assert not await repo.transition(ORG, person.id, RecipientStatus.QUEUED)
    assert await repo.counts(campaign) == {RecipientStatus.CANCELLED: 1}


def ranked(campaign_id: uuid.UUID, row: int, nhs: str, **kw: object) -> Recipient:
    return recipient(campaign_id, row, nhs=nhs, source_rank=f"list:{row:07d}", **kw)


def fail_once(target: object, method: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The next call of ``target.method`` fails, as if the process died there."""
    real = getattr(target, method)

    async def crash(*args: object, **kwargs: object) -> object:
        monkeypatch.setattr(target, method, real)
        raise ConnectionError("crashed")

    monkeypatch.setattr(target, method, crash)


async def test_the_same_patient_twice_in_one_batch_is_kept_once(mongo: MongoHandle) -> None:
    repo = MongoRecipientRepository(mongo)
    campaign = uuid.uuid4()
    first, second = ranked(campaign, 1, nhs_number(7)), ranked(campaign, 2, nhs_number(7))
    assert await repo.add_unique([first, second]) == {second.id: first.id}
    assert await repo.missing([first.id, second.id]) == {second.id}


async def test_an_earlier_row_takes_over_a_patient_until_released(mongo: MongoHandle) -> None:
    repo = MongoRecipientRepository(mongo)
    campaign = uuid.uuid4()
    later, earlier = ranked(campaign, 9, nhs_number(7)), ranked(campaign, 2, nhs_number(7))
    await repo.add_unique([later])
    assert await repo.add_unique([earlier]) == {earlier.id: later.id}
    assert await repo.replace_if_earlier(later.id, earlier)
    assert await repo.missing([later.id, earlier.id]) == {later.id}

    latest = ranked(campaign, 12, nhs_number(7))
    assert await repo.add_unique([latest]) == {latest.id: earlier.id}
    assert not await repo.replace_if_earlier(earlier.id, latest)  # the first row keeps it
    assert await repo.add_unique([later]) == {later.id: earlier.id}  # a redelivery of the first

    assert await repo.mark_queued([earlier], uuid.uuid4()) == [earlier.id]
    first = ranked(campaign, 1, nhs_number(7))
    assert await repo.add_unique([first]) == {first.id: earlier.id}
    assert not await repo.replace_if_earlier(earlier.id, first)  # released: it keeps it
    assert await repo.counts(campaign) == {RecipientStatus.QUEUED: 1}


async def test_a_crash_between_holding_and_inserting_heals_on_redelivery(
    mongo: MongoHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = MongoRecipientRepository(mongo)
    campaign = uuid.uuid4()
    person = ranked(campaign, 3, nhs_number(7))
    fail_once(repo._c, "insert_many", monkeypatch)
    with pytest.raises(ConnectionError):
        await repo.add_unique([person])

    assert await repo.add_unique([person]) == {}
    assert await repo.missing([person.id]) == set()
    other_row = ranked(campaign, 4, nhs_number(7))
    assert await repo.add_unique([other_row]) == {other_row.id: person.id}


async def test_a_crash_after_removing_the_holder_heals_on_redelivery(
    mongo: MongoHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = MongoRecipientRepository(mongo)
    campaign = uuid.uuid4()
    later, earlier = ranked(campaign, 9, nhs_number(7)), ranked(campaign, 2, nhs_number(7))
    await repo.add_unique([later])
    assert await repo.add_unique([earlier]) == {earlier.id: later.id}
    fail_once(repo._patients, "take_over", monkeypatch)
    with pytest.raises(ConnectionError):
        await repo.replace_if_earlier(later.id, earlier)
    assert await repo.counts(campaign) == {}  # the holder is gone, the newcomer not yet in

    assert await repo.add_unique([earlier]) == {earlier.id: later.id}
    assert await repo.replace_if_earlier(later.id, earlier)
    assert await repo.missing([later.id, earlier.id]) == {later.id}
    assert await repo.add_unique([later]) == {later.id: earlier.id}


async def test_a_row_taken_over_while_it_inserts_drops_its_recipient(
    mongo: MongoHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = MongoRecipientRepository(mongo)
    campaign = uuid.uuid4()
    later, earlier = ranked(campaign, 9, nhs_number(7)), ranked(campaign, 2, nhs_number(7))
    insert_many = repo._c.insert_many
    taken_over: list[bool] = []

    async def earlier_batch_first(*args: object, **kwargs: object) -> object:
        # The earlier row's batch runs between the later row holding the patient and
        # inserting its recipient.
        if not taken_over:
            other = MongoRecipientRepository(mongo)
            assert await other.add_unique([earlier]) == {earlier.id: later.id}
            taken_over.append(await other.replace_if_earlier(later.id, earlier))
        return await insert_many(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(repo._c, "insert_many", earlier_batch_first)
    assert await repo.add_unique([later]) == {}
    assert taken_over == [True]
    assert await repo.missing([later.id, earlier.id]) == {later.id}
    assert await repo.counts(campaign) == {RecipientStatus.READY: 1}


async def test_mark_queued_moves_only_ready_recipients_with_their_own_text(
    mongo: MongoHandle,
) -> None:
    repo = MongoRecipientRepository(mongo)
    campaign = uuid.uuid4()
    people = [recipient(campaign, i) for i in range(1, 4)]
    await repo.add_unique(people)
    assert await repo.transition(ORG, people[1].id, RecipientStatus.CANCELLED)
    rendered = [replace(p, body=f"Hello {i}", subject=None) for i, p in enumerate(people)]
    batch = uuid.uuid4()

    assert await repo.mark_queued(rendered, batch) == [people[0].id, people[2].id]
    assert await repo.mark_queued(rendered, uuid.uuid4()) == []
    queued = {r.id: r.body for r in await repo.in_batch(batch)}
    assert queued == {people[0].id: "Hello 0", people[2].id: "Hello 2"}


async def test_a_row_taken_over_just_after_it_checked_loses_its_recipient(
    mongo: MongoHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The later row inserts its recipient, and finds it still holds the patient, after the
    earlier row found no recipient to delete but before it took the patient over."""
    repo = MongoRecipientRepository(mongo)
    campaign = uuid.uuid4()
    later, earlier = ranked(campaign, 9, nhs_number(7)), ranked(campaign, 2, nhs_number(7))
    holding, checked, later_done = asyncio.Event(), asyncio.Event(), asyncio.Event()
    insert_many, find_one = repo._c.insert_many, repo._c.find_one
    take_over = repo._patients.take_over

    async def insert_once_checked(*args: object, **kwargs: object) -> object:
        holding.set()
        await checked.wait()
        return await insert_many(*args, **kwargs)  # type: ignore[arg-type]

    async def find_then_go_on(*args: object, **kwargs: object) -> object:
        found = await find_one(*args, **kwargs)
        checked.set()
        return found

    async def take_over_once_later_done(*args: object, **kwargs: object) -> object:
        await later_done.wait()
        return await take_over(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(repo._c, "insert_many", insert_once_checked)
    monkeypatch.setattr(repo._c, "find_one", find_then_go_on)
    monkeypatch.setattr(repo._patients, "take_over", take_over_once_later_done)

    async def later_batch() -> dict[str, str]:
        try:
            return await repo.add_unique([later])
        finally:
            later_done.set()

    async with asyncio.timeout(10):
        later_added = asyncio.create_task(later_batch())
        await holding.wait()
        assert await repo.add_unique([earlier]) == {earlier.id: later.id}
        assert await repo.replace_if_earlier(later.id, earlier)
        assert await later_added == {}
    assert await repo.missing([later.id, earlier.id]) == {later.id}
