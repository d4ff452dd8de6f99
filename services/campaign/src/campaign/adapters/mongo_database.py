"""Opens the MongoDB database: a real server at ``MONGODB_URL``, or the in-process stand-in.

The stand-in (``cohort_standin``, a development dependency never installed in the deployed
image) keeps data in this process only. It answers PyMongo's async API with real ordered and
unique indexes; there are no transactions or change streams."""

import logging
from typing import Any, cast

from pymongo import ASCENDING, AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

log = logging.getLogger(__name__)

Document = dict[str, Any]


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
                "All campaign data is lost when this process stops."
            )

    async def ensure_indexes(self) -> None:
        recipients = self.db["recipients"]
        # Release and review read a campaign's recipients by status in list order.
        await recipients.create_index(
            [
                ("campaign_id", ASCENDING),
                ("status", ASCENDING),
                ("list_id", ASCENDING),
                ("row_number", ASCENDING),
            ]
        )
        await recipients.create_index([("batch_id", ASCENDING)])
        await recipients.create_index([("status", ASCENDING), ("updated_at", ASCENDING)])
        await recipients.create_index([("record_entry", ASCENDING)], sparse=True)
        await recipients.create_index([("org_id", ASCENDING), ("contact", ASCENDING)])
        await self.db["list_rows"].create_index([("recipient_id", ASCENDING)])
        await self.db["list_rows"].create_index([("list_id", ASCENDING), ("row_number", ASCENDING)])
        await self.db["list_rows"].create_index([("campaign_id", ASCENDING)])
        await self.db["campaigns"].create_index([("org_id", ASCENDING), ("created_at", ASCENDING)])
        await self.db["campaigns"].create_index([("status", ASCENDING)])
        await self.db["release_batches"].create_index([("published", ASCENDING)])
        await self.db["audit"].create_index([("campaign_id", ASCENDING), ("at", ASCENDING)])
        await self.db["templates"].create_index([("org_id", ASCENDING), ("name", ASCENDING)])
        await self.db["template_versions"].create_index(
            [("template_id", ASCENDING), ("request_id", ASCENDING)]
        )

    async def ping(self) -> bool:
        await self._client.admin.command("ping")
        return True

    async def close(self) -> None:
        await self._client.close()


def _standin_client() -> Any:
    try:
        from cohort_standin import StandinClient
    except ImportError:
        raise RuntimeError(
            "MONGODB_URL is not set and the in-process MongoDB stand-in is not installed: "
            "set MONGODB_URL; the in-process stand-in is a development dependency "
            "(uv sync with the dev group)."
        ) from None
    return StandinClient()
