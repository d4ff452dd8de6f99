"""The repeat guard's lookup in MongoDB: who of a campaign's ready patients was released the
same message by the organisation lately.

Bounded and index-backed for real MongoDB: the campaign's ready recipients are read through
the (campaign_id, status, ...) index, a thousand NHS numbers at a time, and each thousand is
one query on the (org_id, message_keys, nhs_number, released_at) index, which holds released
recipients only (partial), so a 20,000-patient list costs twenty such queries."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from cohort_contracts.vocabulary import RecipientStatus

from ..domain.failed_numbers import LastText
from ..domain.repeat_guard import LOOKUP_CHUNK
from .mongo_database import Document, MongoHandle
from .mongo_recipient_docs import LIST_ORDER, recipients_collection

_NOT_RECEIVED = [RecipientStatus.FAILED.value, RecipientStatus.CANCELLED.value]
_SETTLED = [RecipientStatus.DELIVERED.value, RecipientStatus.FAILED.value]


def repeat_query(
    org_id: str,
    campaign_id: UUID,
    keys: Sequence[str],
    since: datetime,
    numbers: list[str] | None,
) -> Document:
    """Released recipients under any of ``keys`` since ``since``, elsewhere: of ``numbers``, or
    of anyone (None)."""
    query: Document = {
        "org_id": org_id,
        # Stated in full so the partial index (message_keys exists) is chosen.
        "message_keys": {"$exists": True, "$in": list(keys)},
        "released_at": {"$gte": since},
        "campaign_id": {"$ne": str(campaign_id)},
        "status": {"$nin": _NOT_RECEIVED},
    }
    if numbers is not None:
        query["nhs_number"] = {"$in": numbers}
    return query


class MongoRepeatHistory:
    def __init__(self, mongo: MongoHandle) -> None:
        self._c = recipients_collection(mongo)

    async def recently_messaged(
        self, org_id: str, campaign_id: UUID, keys: Sequence[str], since: datetime
    ) -> list[str]:
        if not keys:
            return []
        # Most messages are new: with no one sent them lately, no patient of the campaign need
        # be read at all (one probe of the partial index, not a pass over every ready patient).
        anyone = repeat_query(org_id, campaign_id, keys, since, numbers=None)
        if await self._c.find_one(anyone, {"_id": 1}) is None:
            return []
        matched: list[str] = []
        chunk: list[Document] = []
        ready = self._c.find(
            {"campaign_id": str(campaign_id), "status": RecipientStatus.READY.value},
            {"_id": 1, "nhs_number": 1},
        ).sort(LIST_ORDER)
        async for doc in ready:
            chunk.append(doc)
            if len(chunk) == LOOKUP_CHUNK:
                matched += await self._lookup(org_id, campaign_id, keys, since, chunk)
                chunk = []
        if chunk:
            matched += await self._lookup(org_id, campaign_id, keys, since, chunk)
        return matched

    async def _lookup(
        self,
        org_id: str,
        campaign_id: UUID,
        keys: Sequence[str],
        since: datetime,
        chunk: list[Document],
    ) -> list[str]:
        numbers = [d["nhs_number"] for d in chunk]
        query = repeat_query(org_id, campaign_id, keys, since, numbers)
        seen = {d["nhs_number"] async for d in self._c.find(query, {"nhs_number": 1, "_id": 0})}
        return [d["_id"] for d in chunk if d["nhs_number"] in seen]

    async def last_texts(
        self, org_id: str, contacts: Sequence[str], since: datetime
    ) -> dict[str, LastText]:
        if not contacts:
            return {}
        # On the (org_id, contact) index; a batch's few hundred numbers have a handful of
        # recipients each, so the sort before grouping is small.
        pipeline: list[Document] = [
            {
                "$match": {
                    "org_id": org_id,
                    "contact": {"$in": list(contacts)},
                    "channel": "sms",
                    "status": {"$in": _SETTLED},
                    "updated_at": {"$gte": since},
                }
            },
            {"$sort": {"updated_at": -1}},
            {
                "$group": {
                    "_id": "$contact",
                    "status": {"$first": "$status"},
                    "reason_code": {"$first": "$reason_code"},
                    "failure_permanent": {"$first": "$failure_permanent"},
                }
            },
        ]
        cursor = await self._c.aggregate(pipeline)
        return {
            d["_id"]: LastText(d["status"], d.get("reason_code"), d.get("failure_permanent"))
            async for d in cursor
        }
