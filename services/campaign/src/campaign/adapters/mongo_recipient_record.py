"""What recipients' messages became in the GP record: the outbox of entries for the record
service, and the state the record service reports, with a per-campaign count of those filed
(so reads never count recipients)."""

from collections.abc import Sequence
from uuid import UUID

from ..domain.model import Recipient
from .mongo_database import MongoHandle
from .mongo_recipient_docs import recipient_from, recipients_collection

#: The record service's state for a document in the practice's record (``RecordState.FILED``).
SAVED_TO_RECORD = "filed"


class RecipientRecordState:
    def __init__(self, mongo: MongoHandle) -> None:
        self._c = recipients_collection(mongo)
        self._record_counts = mongo.db["record_counts"]

    async def pending_record_entries(self, limit: int) -> list[Recipient]:
        docs = self._c.find({"record_entry": "pending"}).limit(limit)
        return [recipient_from(d) async for d in docs]

    async def count_pending_record_entries(self) -> int:
        return await self._c.count_documents({"record_entry": "pending"})

    async def record_entries_published(self, ids: Sequence[str]) -> None:
        await self._c.update_many(
            {"_id": {"$in": list(ids)}, "record_entry": "pending"},
            {"$set": {"record_entry": "published"}},
        )

    async def set_record_state(
        self, org_id: str, recipient_id: str, state: str, reason_code: str | None, rank: int
    ) -> bool:
        moved = await self._c.find_one_and_update(
            {
                "_id": recipient_id,
                "org_id": org_id,
                "$or": [{"record_rank": None}, {"record_rank": {"$lt": rank}}],
            },
            {
                "$set": {
                    "record_state": state,
                    "record_reason_code": reason_code,
                    "record_rank": rank,
                }
            },
            projection={"campaign_id": 1},
        )
        if moved is None:
            return False
        if state == SAVED_TO_RECORD:
            # Filed is final (the top rank, reached once), so each recipient adds one, once.
            await self._record_counts.update_one(
                {"_id": moved["campaign_id"]}, {"$inc": {"saved": 1}}, upsert=True
            )
        return True

    async def saved_to_record(self, campaign_ids: list[UUID]) -> dict[UUID, int]:
        """Recipients saved to the GP record, per campaign, from counters kept as they are
        saved (like ``campaign_counts``: reads never count recipients)."""
        query = {"_id": {"$in": [str(i) for i in campaign_ids]}}
        found = {
            UUID(d["_id"]): int(d.get("saved", 0)) async for d in self._record_counts.find(query)
        }
        return {i: found.get(i, 0) for i in campaign_ids}
