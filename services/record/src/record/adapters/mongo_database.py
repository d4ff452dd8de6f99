"""Opens the record service's MongoDB database: a real server at ``MONGODB_URL``, or the
in-process stand-in when it is unset (development and tests only; its data is lost when the
process stops, and the service says so loudly).

The same conventions as campaign's store: single-document atomic updates conditional on the
state they change (no transactions: a standalone server or a replica set both work), identity
by ``_id``, aware UTC datetimes, and every query served by an index listed here."""

import logging
from typing import Any, cast

from pymongo import ASCENDING, AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

log = logging.getLogger(__name__)

Document = dict[str, Any]
IndexKeys = list[tuple[str, int]]
ASC = ASCENDING

INDEXES: list[tuple[str, IndexKeys, dict[str, Any]]] = [
    # One entry per delivered message is ``_id`` (derived from campaign and recipient).
    # The sender's claim: pending entries by due time, and claims by expiry (a dead sender's).
    ("record_entries", [("state", ASC), ("next_attempt_at", ASC)], {}),
    ("record_entries", [("state", ASC), ("claim_expires_at", ASC)], {}),
    # MESH reports name our MESH message id (``Mex-LinkedMsgID``).
    (
        "record_entries",
        [("mesh_message_id", ASC)],
        {"partialFilterExpression": {"mesh_message_id": {"$type": "string"}}},
    ),
    # Acknowledgement timeouts: sent / acknowledged since before a cut-off.
    ("record_entries", [("state", ASC), ("sent_at", ASC)], {}),
    ("record_entries", [("state", ASC), ("acknowledged_at", ASC)], {}),
    # The status outbox: only unreported entries are in this index, so it stays small.
    (
        "record_entries",
        [("status_pending", ASC)],
        {"partialFilterExpression": {"status_pending": True}},
    ),
]


class MongoHandle:
    def __init__(self, url: str | None, database: str) -> None:
        self.standin = url is None
        if url is None:
            self._client: Any = _standin_client()
        else:
            self._client = AsyncMongoClient(url, serverSelectionTimeoutMS=5000, tz_aware=True)
        self.db = cast(AsyncDatabase[Document], self._client[database])

    def warn_if_standin(self) -> None:
        if self.standin:
            log.warning(
                "MONGODB_URL is not set: using the in-process MongoDB stand-in. "
                "Every record entry is lost when this process stops."
            )

    async def ensure_indexes(self) -> None:
        for collection, keys, options in INDEXES:
            await self.db[collection].create_index(keys, **options)

    async def ping(self) -> bool:
        if self.standin:
            return True
        await self._client.admin.command("ping")
        return True

    async def close(self) -> None:
        if self.standin:
            self._client.close()
        else:
            await self._client.close()


def _standin_client() -> Any:
    # mongomock behind PyMongo's async API: the store's operations are few and single-document,
    # and record's volumes (one entry per delivered message) are small for it.
    from pymongo_async_mock import AsyncMongoMockClient

    return AsyncMongoMockClient(tz_aware=True)
