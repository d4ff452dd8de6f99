"""The repository contract, run against every MongoDB available (see ``conftest.STORES``)."""

import asyncio
import uuid
from datetime import UTC, datetime

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
