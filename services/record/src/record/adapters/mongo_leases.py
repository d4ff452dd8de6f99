"""Leases in MongoDB (as campaign's): one document per lease, ``_id`` its name. Taking a free
lease is an insert (exactly one racing instance wins); taking an expired one, or renewing one's
own, is one conditional update. Expiry is judged by the acquiring instance's clock (NTP)."""

from datetime import UTC, datetime, timedelta

from pymongo.errors import DuplicateKeyError

from .mongo_database import MongoHandle


class MongoLeases:
    def __init__(self, mongo: MongoHandle) -> None:
        self._c = mongo.db["leases"]

    async def acquire(self, name: str, holder: str, ttl_s: float) -> bool:
        now = datetime.now(UTC)
        lease = {"holder": holder, "expires_at": now + timedelta(seconds=ttl_s)}
        try:
            await self._c.insert_one({"_id": name, **lease})
            return True
        except DuplicateKeyError:
            pass
        taken = await self._c.update_one(
            {"_id": name, "$or": [{"holder": holder}, {"expires_at": {"$lte": now}}]},
            {"$set": lease},
        )
        return taken.matched_count == 1

    async def release(self, name: str, holder: str) -> None:
        await self._c.delete_one({"_id": name, "holder": holder})


class MongoInboxLog:
    """Inbox messages no handler could read, for a person to look at (ids and why only)."""

    def __init__(self, mongo: MongoHandle) -> None:
        self._c = mongo.db["unreadable_inbox_messages"]

    async def keep_unreadable(self, mailbox: str, message_id: str, why: str) -> None:
        await self._c.update_one(
            {"_id": message_id},
            {"$setOnInsert": {"mailbox": mailbox, "why": why, "at": datetime.now(UTC)}},
            upsert=True,
        )
