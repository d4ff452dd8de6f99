"""The audit trail in MongoDB: inserts only, never updated or deleted."""

from uuid import UUID

from bson import ObjectId
from pymongo import ASCENDING

from cohort_contracts import campaign_views
from cohort_mongo import insert_if_new

from ..domain.audit import AuditEntry
from .mongo_database import MongoHandle


class MongoAuditTrail:
    def __init__(self, mongo: MongoHandle) -> None:
        self._c = mongo.db["audit"]

    async def append(self, entry: AuditEntry) -> None:
        doc = {
            # Named by its cause: a redelivered request finds its entry and adds nothing.
            "_id": entry.key,
            # MongoDB keeps times to the millisecond; an ObjectId grows with each insert from
            # this process, so entries of the same millisecond keep their order.
            "seq": ObjectId(),
            "org_id": entry.org_id,
            "campaign_id": str(entry.campaign_id),
            "at": entry.at,
            "actor": entry.actor,
            "action": entry.action,
            "details": entry.details,
        }
        await insert_if_new(self._c, doc)

    async def entries(self, org_id: str, campaign_id: UUID) -> list[campaign_views.AuditEntry]:
        query = {"org_id": org_id, "campaign_id": str(campaign_id)}
        docs = self._c.find(query).sort([("at", ASCENDING), ("seq", ASCENDING)])
        return [
            campaign_views.AuditEntry(
                at=d["at"], actor=d["actor"], action=d["action"], details=d["details"]
            )
            async for d in docs
        ]
