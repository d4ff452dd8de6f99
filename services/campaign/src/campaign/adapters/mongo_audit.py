"""The audit trail in MongoDB: inserts only, never updated or deleted."""

from datetime import datetime
from uuid import UUID

from bson import ObjectId
from pymongo import ASCENDING

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
    ) -> None:
        await self._c.insert_one(
            {
                # MongoDB keeps times to the millisecond; an ObjectId grows with each insert
                # from this process, so entries of the same millisecond keep their order.
                "_id": ObjectId(),
                "org_id": org_id,
                "campaign_id": str(campaign_id),
                "at": at,
                "actor": actor,
                "action": action,
                "details": details,
            }
        )

    async def entries(self, org_id: str, campaign_id: UUID) -> list[AuditEntry]:
        query = {"org_id": org_id, "campaign_id": str(campaign_id)}
        docs = self._c.find(query).sort([("at", ASCENDING), ("_id", ASCENDING)])
        return [
            AuditEntry(at=d["at"], actor=d["actor"], action=d["action"], details=d["details"])
            async for d in docs
        ]
