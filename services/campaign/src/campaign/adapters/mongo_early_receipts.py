"""Receipts that arrived before campaign learnt which recipients their shared reference covers.

Dispatch reports a chunk's provider references when the chunk is done, but Firetext may answer
for the first numbers of a shared-text request sooner. Such a receipt is kept here and applied
when the chunk's report names the reference."""

from datetime import UTC, datetime

from .mongo_database import MongoHandle


class MongoEarlyReceipts:
    def __init__(self, mongo: MongoHandle) -> None:
        self._c = mongo.db["early_receipts"]

    async def keep(self, org_id: str, provider_reference: str, receipt_json: str, key: str) -> None:
        # Keyed by the receipt itself, so a redelivered receipt is kept once.
        await self._c.update_one(
            {"_id": key},
            {
                "$setOnInsert": {
                    "org_id": org_id,
                    "reference": provider_reference,
                    "receipt": receipt_json,
                    "kept_at": datetime.now(UTC),
                }
            },
            upsert=True,
        )

    async def waiting(self, org_id: str, provider_reference: str) -> list[tuple[str, str]]:
        query = {"org_id": org_id, "reference": provider_reference}
        return [(d["_id"], d["receipt"]) async for d in self._c.find(query)]

    async def discard(self, key: str) -> None:
        await self._c.delete_one({"_id": key})
