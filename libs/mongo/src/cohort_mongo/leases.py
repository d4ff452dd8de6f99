"""Leases in MongoDB: one document per lease, ``_id`` its name.

Taking a free lease is an insert (``_id`` uniqueness lets exactly one of several racing
instances win); taking an expired one, or renewing one's own, is a single conditional update.
Expiry is judged by the acquiring instance's clock, so instances must keep their clocks in step
(NTP); the lease times used here (tens of seconds) leave ample margin for ordinary skew."""

from datetime import UTC, datetime, timedelta

from .handle import MongoHandle
from .inserts import insert_if_new


class MongoLeases:
    def __init__(self, mongo: MongoHandle) -> None:
        self._c = mongo.db["leases"]

    async def acquire(self, name: str, holder: str, ttl_s: float) -> bool:
        now = datetime.now(UTC)
        lease = {"holder": holder, "expires_at": now + timedelta(seconds=ttl_s)}
        if await insert_if_new(self._c, {"_id": name, **lease}):
            return True
        taken = await self._c.update_one(
            {"_id": name, "$or": [{"holder": holder}, {"expires_at": {"$lte": now}}]},
            {"$set": lease},
        )
        return taken.matched_count == 1

    async def release(self, name: str, holder: str) -> None:
        await self._c.delete_one({"_id": name, "holder": holder})
