"""Re-checks before sending in the recipients collection: which ready recipients may be released
now, which await PDS, and what PDS confirmed. Every write is conditional on ``ready``: a
recipient already released, cancelled or excluded is never changed by a late answer."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from pymongo import UpdateOne

from cohort_contracts.vocabulary import Channel, RecipientStatus

from ..domain.model import Recipient
from ..ports.recipients import Confirmed
from .mongo_database import MongoHandle
from .mongo_recipient_docs import first_in_list_order, recipients_collection

READY = RecipientStatus.READY.value


class MongoRechecks:
    def __init__(self, mongo: MongoHandle) -> None:
        self._c = recipients_collection(mongo)

    async def ready_to_release(
        self,
        campaign_id: UUID,
        limit: int,
        requested_before: datetime,
        channel: Channel | None = None,
    ) -> list[Recipient]:
        query: dict[str, Any] = {
            "campaign_id": str(campaign_id),
            "status": READY,
            # ``None`` also matches the field's absence (recipients stored before re-checks).
            "$or": [
                {"recheck_requested_at": None},
                {"recheck_requested_at": {"$lt": requested_before}},
            ],
        }
        return await first_in_list_order(self._c, query, limit, channel)

    async def mark_requested(self, ids: Sequence[str], at: datetime) -> None:
        if ids:
            await self._c.update_many(
                {"_id": {"$in": list(ids)}, "status": READY},
                {"$set": {"recheck_requested_at": at}},
            )

    async def confirm(self, org_id: str, confirmed: Sequence[Confirmed], at: datetime) -> int:
        if not confirmed:
            return 0
        writes = [
            UpdateOne(
                {"_id": c.recipient_id, "org_id": org_id, "status": READY},
                {
                    "$set": {
                        "contact": c.contact,
                        "language": c.language,
                        "interpreter_required": c.interpreter_required,
                        "checked_at": at,
                        "recheck_requested_at": None,
                    }
                },
            )
            for c in confirmed
        ]
        result = await self._c.bulk_write(writes, ordered=False)
        return result.modified_count
