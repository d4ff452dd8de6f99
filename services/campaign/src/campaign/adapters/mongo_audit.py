"""The audit trail in MongoDB: inserts only, never updated or deleted."""

import contextlib
from datetime import datetime
from uuid import UUID

from bson import ObjectId
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from cohort_contracts.campaign_views import AuditEntry

from .mongo_database import MongoHandle


class MongoAuditTrail:
    def __init__(self, mongo: MongoHandle) -> None:
        self._c = mongo.db["audit"]

    async def append(
        self,
        org_id: str,
        campaign_id: UUID,
        at: datetime,
        actor: str,
        action: str,
        details: dict[str, str | int],
        *,
        key: str,
    ) -> None:
        entry = {
            # Named by its cause: a redelivered request finds its entry and adds nothing.
            "_id": key,
            # MongoDB keeps times to the millisecond; an ObjectId grows with each insert from
            # this process, so entries of the same millisecond keep their order.
            "seq": ObjectId(),
            "org_id": org_id,
            "campaign_id": str(campaign_id),
            "at": at,
            "actor": actor,
            "action": action,
            "details": details,
        }
        with contextlib.suppress(DuplicateKeyError):
            await self._c.insert_one(entry)

    async def entries(self, org_id: str, campaign_id: UUID) -> list[AuditEntry]:
        query = {"org_id": org_id, "campaign_id": str(campaign_id)}
        docs = self._c.find(query).sort([("at", ASCENDING), ("seq", ASCENDING)])
        return [
            AuditEntry(at=d["at"], actor=d["actor"], action=d["action"], details=d["details"])
            async for d in docs
        ]
