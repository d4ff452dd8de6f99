"""The repository contract, run against every MongoDB available
(see ``cohort_testing.mongo_stores``)."""

import asyncio
import random
import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from pymongo.errors import BulkWriteError, DuplicateKeyError

from campaign.adapters.mongo_database import MongoHandle
from campaign.adapters.mongo_recipient_docs import recipient_doc
from campaign.adapters.mongo_recipients import MongoRecipientRepository
from campaign.domain.model import Recipient
from campaign.ports.recipients import Move, Placement
from cohort_contracts.vocabulary import RecipientStatus
from cohort_testing.mongo_faults import unconfirmed_inserts

from ..builders import ORG, nhs_number


@pytest.fixture
def repo(mongo: MongoHandle) -> MongoRecipientRepository:
    return MongoRecipientRepository(mongo)


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


def ranked(campaign_id: uuid.UUID, row: int, nhs: str, **kw: object) -> Recipient:
    return recipient(campaign_id, row, nhs=nhs, source_rank=f"list:{row:07d}", **kw)


async def test_one_recipient_per_patient_per_campaign(repo: MongoRecipientRepository) -> None:
    campaign = uuid.uuid4()
    first = ranked(campaign, 1, nhs_number(7))
    assert await repo.add_unique([first]) == Placement({}, [])
    assert await repo.add_unique([first]) == Placement({}, [])  # the same row redelivered
    other_row = ranked(campaign, 2, nhs_number(7))
    assert await repo.add_unique([other_row]) == Placement({other_row.id: first.id}, [])
    elsewhere = ranked(uuid.uuid4(), 2, nhs_number(7))
    assert await repo.add_unique([elsewhere]) == Placement({}, [])  # another campaign may


async def test_the_unique_index_refuses_a_second_recipient_for_a_patient(
    mongo: MongoHandle,
    repo: MongoRecipientRepository,
) -> None:
    """The schema itself holds the rule, whatever the code above it does."""
    campaign = uuid.uuid4()
    await repo.add_unique([ranked(campaign, 1, nhs_number(7))])
    with pytest.raises(DuplicateKeyError):
        await mongo.db["recipients"].insert_one(recipient_doc(ranked(campaign, 2, nhs_number(7))))


async def test_racing_claims_never_share_a_recipient(repo: MongoRecipientRepository) -> None:
    campaign = uuid.uuid4()
    people = [recipient(campaign, i, status=RecipientStatus.QUEUED) for i in range(1, 41)]
    await repo.add_unique(people)
    ids = [p.id for p in people]

    claims = await asyncio.gather(*(repo.claim(ORG, campaign, ids) for _ in range(8)))
    taken = [i for claim in claims for i in claim]
    assert sorted(taken) == sorted(ids)


async def test_claims_are_scoped_to_the_organisation(repo: MongoRecipientRepository) -> None:
    campaign = uuid.uuid4()
    person = recipient(campaign, 1, status=RecipientStatus.QUEUED)
    await repo.add_unique([person])
    assert await repo.claim("B82002", campaign, [person.id]) == []
    assert await repo.claim(ORG, campaign, [person.id]) == [person.id]


async def test_transitions_only_from_the_states_they_may_come_from(
    repo: MongoRecipientRepository,
) -> None:
    campaign = uuid.uuid4()
    person = recipient(campaign, 1)
    await repo.add_unique([person])

    assert not await repo.apply(ORG, [Move(person.id, RecipientStatus.DELIVERED)])  # still ready
    assert await repo.apply(ORG, [Move(person.id, RecipientStatus.CANCELLED)])
    assert not await repo.apply(ORG, [Move(person.id, RecipientStatus.QUEUED)])
    assert await repo.counts(campaign) == {RecipientStatus.CANCELLED: 1}


def fail_once(target: object, method: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The next call of ``target.method`` fails, as if the process died there."""
    real = getattr(target, method)

    async def crash(*args: object, **kwargs: object) -> object:
        monkeypatch.setattr(target, method, real)
        raise ConnectionError("crashed")

    monkeypatch.setattr(target, method, crash)


async def test_the_same_patient_twice_in_one_batch_is_kept_once(
    repo: MongoRecipientRepository,
) -> None:
    campaign = uuid.uuid4()
    first, second = ranked(campaign, 1, nhs_number(7)), ranked(campaign, 2, nhs_number(7))
    assert await repo.add_unique([second, first]) == Placement({second.id: first.id}, [])
    assert await repo.missing([first.id, second.id]) == {second.id}


async def test_an_earlier_row_takes_over_a_patient_until_released(
    repo: MongoRecipientRepository,
) -> None:
    campaign = uuid.uuid4()
    later, earlier = ranked(campaign, 9, nhs_number(7)), ranked(campaign, 2, nhs_number(7))
    await repo.add_unique([later])
    assert await repo.add_unique([earlier]) == Placement({}, [later.id])
    assert await repo.missing([later.id, earlier.id]) == {later.id}

    latest = ranked(campaign, 12, nhs_number(7))
    assert await repo.add_unique([latest]) == Placement({latest.id: earlier.id}, [])
    # A redelivery of the row that lost the patient does not bring it back.
    assert await repo.add_unique([later]) == Placement({later.id: earlier.id}, [])

    assert await repo.mark_queued([earlier], uuid.uuid4()) == [earlier.id]
    first = ranked(campaign, 1, nhs_number(7))
    # Released: nothing takes the patient from a recipient who may have been messaged.
    assert await repo.add_unique([first]) == Placement({first.id: earlier.id}, [])
    assert await repo.counts(campaign) == {RecipientStatus.QUEUED: 1}


async def test_a_crash_after_removing_the_holder_heals_on_redelivery(
    repo: MongoRecipientRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign = uuid.uuid4()
    later, earlier = ranked(campaign, 9, nhs_number(7)), ranked(campaign, 2, nhs_number(7))
    await repo.add_unique([later])
    fail_once(repo._placement._c, "insert_one", monkeypatch)
    with pytest.raises(ConnectionError):
        await repo.add_unique([earlier])
    # The holder is gone, the newcomer not yet in.
    assert await repo.missing([later.id, earlier.id]) == {later.id, earlier.id}

    assert await repo.add_unique([earlier]) == Placement({}, [])
    assert await repo.missing([later.id, earlier.id]) == {later.id}
    assert await repo.add_unique([later]) == Placement({later.id: earlier.id}, [])


@pytest.mark.parametrize("seed", range(12))
async def test_racing_rows_of_one_patient_leave_the_first_row_holding_it(
    repo: MongoRecipientRepository, seed: int
) -> None:
    """Ten rows of one patient, in batches that run at once in a shuffled order (and each
    delivered twice): exactly one recipient remains, the earliest row's; every other row is
    a duplicate or was displaced, so its row can say why."""
    campaign = uuid.uuid4()
    rows = [ranked(campaign, row, nhs_number(7)) for row in range(1, 11)]
    deliveries = [[r] for r in rows] * 2
    random.Random(seed).shuffle(deliveries)

    placements = await asyncio.gather(*(repo.add_unique(batch) for batch in deliveries))

    assert await repo.missing([r.id for r in rows]) == {r.id for r in rows[1:]}
    lost = {i for p in placements for i in [*p.duplicates, *p.displaced]}
    assert lost == {r.id for r in rows[1:]}
    # A row is only ever told it is a duplicate of an earlier row.
    rank = {r.id: r.row_number for r in rows}
    assert all(rank[h] < rank[n] for p in placements for n, h in p.duplicates.items())


async def test_mark_queued_moves_only_ready_recipients_with_their_own_text(
    repo: MongoRecipientRepository,
) -> None:
    campaign = uuid.uuid4()
    people = [recipient(campaign, i) for i in range(1, 4)]
    await repo.add_unique(people)
    assert await repo.apply(ORG, [Move(people[1].id, RecipientStatus.CANCELLED)])
    rendered = [replace(p, body=f"Hello {i}", subject=None) for i, p in enumerate(people)]
    batch = uuid.uuid4()

    assert await repo.mark_queued(rendered, batch) == [people[0].id, people[2].id]
    assert await repo.mark_queued(rendered, uuid.uuid4()) == []
    queued = {r.id: r.body for r in await repo.in_batch(batch)}
    assert queued == {people[0].id: "Hello 0", people[2].id: "Hello 2"}


async def test_recipients_the_replica_set_did_not_acknowledge_are_not_taken_as_placed(
    mongo: MongoHandle,
) -> None:
    """Inserts the primary applied but the write concern did not acknowledge may be rolled
    back: placing them is an error (the batch is delivered and placed again), even beside a
    patient the campaign already holds."""
    campaign = uuid.uuid4()
    held = ranked(campaign, 1, nhs_number(7))
    await MongoRecipientRepository(mongo).add_unique([held])
    with unconfirmed_inserts(mongo), pytest.raises(BulkWriteError):
        await MongoRecipientRepository(mongo).add_unique([held, ranked(campaign, 2, nhs_number(8))])
