"""The log of inbox messages nobody could read (the leases beside it are
``cohort_mongo.MongoLeases``)."""

from datetime import UTC, datetime

from .mongo_database import MongoHandle


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
