"""Send batches being released to dispatch, so a crash between marking recipients queued and
publishing their batch is healed by republishing it (dispatch's claims make a repeat harmless).

A batch's document lives only from opening to publishing, so the collection holds just the
batches in flight (or orphaned by a crash) and the sweep's query reads a handful of documents."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from cohort_mongo import update_if

from .mongo_database import MongoHandle


def _now() -> datetime:
    return datetime.now(UTC)


class MongoReleaseLog:
    def __init__(self, mongo: MongoHandle) -> None:
        self._c = mongo.db["release_batches"]

    async def opened(self, batch_id: UUID, campaign_id: UUID, org_id: str) -> None:
        await self._c.insert_one(
            {
                "_id": str(batch_id),
                "campaign_id": str(campaign_id),
                "org_id": org_id,
                "opened_at": _now(),
            }
        )

    async def published(self, batch_id: UUID) -> None:
        await self._c.delete_one({"_id": str(batch_id)})

    async def unpublished(self, older_than_s: float) -> list[tuple[UUID, UUID, str]]:
        cutoff = _now() - timedelta(seconds=older_than_s)
        docs = self._c.find({"opened_at": {"$lte": cutoff}})
        return [(UUID(d["_id"]), UUID(d["campaign_id"]), d["org_id"]) async for d in docs]

    async def claim_republish(self, batch_id: UUID, older_than_s: float) -> bool:
        """Re-arms the batch's grace period for whoever claims it first, so one instance
        republishes it and the others see it as freshly opened."""
        now = _now()
        return await update_if(
            self._c,
            {"_id": str(batch_id), "opened_at": {"$lte": now - timedelta(seconds=older_than_s)}},
            {"$set": {"opened_at": now}},
        )
