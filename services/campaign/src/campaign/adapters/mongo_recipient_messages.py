"""The recipients collection as composing, reviewing, test sends and links use it."""

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from cohort_contracts.vocabulary import Channel, RecipientStatus, SendReason
from cohort_mongo import count_by, update_if

from ..domain.model import Recipient
from .mongo_database import Document, MongoHandle
from .mongo_recipient_counts import RecipientCounts, shifted
from .mongo_recipient_docs import LIST_ORDER, recipient_from, recipients_collection

#: Documents per round trip while streaming a review: a few hundred kilobytes at a time.
STREAM_BATCH = 1000
_CHUNK = 500
TOO_LONG_REASON = (
    "The message would be longer than 918 characters (6 text messages) once personalised, "
    "so it was not sent. Shorten the message."
)


class MongoRecipientMessages:
    def __init__(self, mongo: MongoHandle) -> None:
        self._c = recipients_collection(mongo)
        self._counts = RecipientCounts(mongo)

    def stream(self, campaign_id: UUID, status: RecipientStatus) -> AsyncIterator[Recipient]:
        return self._stream({"campaign_id": str(campaign_id), "status": status.value})

    async def ready_by_names(self, campaign_id: UUID) -> list[tuple[Channel, str | None, int]]:
        groups = await self._count_ready(campaign_id, {"channel": "$channel", "names": "$names"})
        return [(k["channel"], k.get("names"), n) for k, n in groups]

    def ready_without_names(self, campaign_id: UUID) -> AsyncIterator[Recipient]:
        return self._stream(_ready(campaign_id, {"names": None}))

    async def _stream(self, query: Document) -> AsyncIterator[Recipient]:
        async for doc in self._c.find(query, batch_size=STREAM_BATCH):
            yield recipient_from(doc)

    async def ready_with_names(
        self, campaign_id: UUID, channel: Channel, names: Sequence[str], limit: int
    ) -> list[str]:
        query = _ready(campaign_id, {"channel": channel, "names": {"$in": list(names)}})
        docs = self._c.find(query, {"_id": 1}).sort(LIST_ORDER)
        return [d["_id"] async for d in docs.limit(limit)]

    async def ready_language_needs(self, campaign_id: UUID) -> list[tuple[str, int, int]]:
        groups = await self._count_ready(
            campaign_id,
            {"language": "$language", "interpreter": "$interpreter_required"},
            {"language": {"$ne": None}},
        )
        counts: dict[str, list[int]] = {}
        for k, n in groups:
            both = counts.setdefault(k["language"], [0, 0])
            both[0] += n
            both[1] += n if k.get("interpreter") is True else 0
        found = [(language, n, interpreter) for language, (n, interpreter) in counts.items()]
        return sorted(found, key=lambda need: (-need[1], need[0]))

    async def ready_by_channel(self, campaign_id: UUID) -> dict[str, int]:
        return dict(await self._count_ready(campaign_id, "$channel"))

    async def _count_ready(
        self, campaign_id: UUID, key: object, narrower: Document | None = None
    ) -> list[tuple[Any, int]]:
        """The campaign's ready recipients (of ``narrower``) counted by ``key``."""
        return await count_by(self._c, _ready(campaign_id, narrower), key)

    async def first(
        self, campaign_id: UUID, status: RecipientStatus, channel: Channel
    ) -> Recipient | None:
        query = {"campaign_id": str(campaign_id), "status": status.value, "channel": channel}
        docs = await self._c.find(query).sort(LIST_ORDER).limit(1).to_list(None)
        return recipient_from(docs[0]) if docs else None

    async def get(self, org_id: str, recipient_id: str) -> Recipient | None:
        doc = await self._c.find_one({"_id": recipient_id, "org_id": org_id})
        return None if doc is None else recipient_from(doc)

    async def link_opened(self, org_id: str, recipient_id: str, at: datetime) -> bool:
        # ``None`` matches a missing field too, so only the first opening is stored.
        return await update_if(
            self._c,
            {"_id": recipient_id, "org_id": org_id, "link_opened_at": None},
            {"$set": {"link_opened_at": at}},
        )

    async def fail_too_long(self, campaign_id: UUID, recipient_ids: Sequence[str]) -> int:
        failed = 0
        for start in range(0, len(recipient_ids), _CHUNK):
            chunk = list(recipient_ids[start : start + _CHUNK])
            result = await self._c.update_many(
                _ready(campaign_id, {"_id": {"$in": chunk}}),
                {
                    "$set": {
                        "status": RecipientStatus.FAILED.value,
                        "reason_code": SendReason.MESSAGE_TOO_LONG.value,
                        "reason": TOO_LONG_REASON,
                        "updated_at": datetime.now(UTC),
                    }
                },
            )
            failed += result.modified_count
        ready, fail = RecipientStatus.READY, RecipientStatus.FAILED
        await self._counts.add(campaign_id, shifted(ready, fail, failed))
        return failed


def _ready(campaign_id: UUID, narrower: Document | None = None) -> Document:
    """The campaign's recipients ready to send, as its review reads them (of ``narrower``)."""
    return {
        "campaign_id": str(campaign_id),
        "status": RecipientStatus.READY.value,
        **(narrower or {}),
    }
