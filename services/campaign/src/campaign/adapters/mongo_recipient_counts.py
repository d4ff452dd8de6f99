"""A campaign's recipients counted by status, kept in ``campaign_counts`` (one document per
campaign, ``_id`` the campaign's).

Every write that moves recipients between states knows exactly which ones it moved (the
writes are conditional, and each reads back what it changed), and adds that to these counters
with one ``$inc`` right after. So reads and completion never count recipients, and a redelivered
event, which moves nothing, adds nothing. The counters live apart from the campaign document,
so incrementing them never touches (or conflicts with) a change of the campaign's state.

What this knowingly gives up: the recipient write and its ``$inc`` are two documents, so a
process killed between them leaves the counters short of that one write (MongoDB would need a
transaction, i.e. a replica set, to join them). The recipients themselves stay exact, and
``recount`` sets the counters from them once a campaign is settled (see the sweeper)."""

from collections import Counter
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from cohort_contracts.vocabulary import RecipientStatus
from cohort_mongo import count_by

from .mongo_database import MongoHandle
from .mongo_recipient_docs import recipients_collection

Delta = Mapping[RecipientStatus, int]


def shifted(frm: RecipientStatus, to: RecipientStatus, n: int = 1) -> Counter[RecipientStatus]:
    return Counter({frm: -n, to: n}) if n else Counter()


def counts_from(doc: Mapping[str, Any] | None) -> dict[RecipientStatus, int]:
    """The non-zero counts stored in a counters document."""
    return {RecipientStatus(s): int(n) for s, n in (doc or {}).items() if s != "_id" and n}


class RecipientCounts:
    def __init__(self, mongo: MongoHandle) -> None:
        self._c = mongo.db["campaign_counts"]
        self._recipients = recipients_collection(mongo)

    async def add(self, campaign_id: UUID | str, delta: Delta) -> None:
        changes = {status.value: n for status, n in delta.items() if n}
        if changes:
            await self._c.update_one({"_id": str(campaign_id)}, {"$inc": changes}, upsert=True)

    async def read(self, campaign_id: UUID) -> dict[RecipientStatus, int]:
        return counts_from(await self._c.find_one({"_id": str(campaign_id)}))

    async def read_many(self, campaign_ids: list[UUID]) -> dict[UUID, dict[RecipientStatus, int]]:
        """Counts of several campaigns in one query (the overview's page)."""
        query = {"_id": {"$in": [str(i) for i in campaign_ids]}}
        found = {UUID(d["_id"]): counts_from(d) async for d in self._c.find(query)}
        return {i: found.get(i, {}) for i in campaign_ids}

    async def recount(self, campaign_id: UUID) -> dict[RecipientStatus, int]:
        """Counts every recipient again and stores the result. Exact only while nothing moves
        the campaign's recipients, so it is used for settled campaigns."""
        found = await count_by(self._recipients, {"campaign_id": str(campaign_id)}, "$status")
        actual = {RecipientStatus(s): n for s, n in found}
        await self._c.update_one(
            {"_id": str(campaign_id)},
            {"$set": {s.value: actual.get(s, 0) for s in RecipientStatus}},
            upsert=True,
        )
        return actual
