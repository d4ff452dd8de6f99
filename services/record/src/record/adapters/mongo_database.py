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
        {"partialFilterExpression": {"mesh_message_id": {"$exists": True}}},
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
        await self._client.admin.command("ping")
        return True

    async def close(self) -> None:
        await self._client.close()


def _standin_client() -> Any:
    # ``cohort_standin`` (libs/standin), as campaign's: a development dependency, never in the
    # deployed image.
    try:
        from cohort_standin import StandinClient
    except ImportError:
        raise RuntimeError(
            "MONGODB_URL is not set and the in-process MongoDB stand-in is not installed: "
            "set MONGODB_URL; the in-process stand-in is a development dependency "
            "(uv sync with the dev group)."
        ) from None
    return StandinClient()
