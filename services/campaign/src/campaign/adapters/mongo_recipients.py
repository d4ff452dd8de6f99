"""Recipients (one per patient per campaign) in MongoDB.

Every state change is a single-document conditional update (``status`` in the states it may
come from), so concurrent instances and redelivered messages can never move a recipient twice.
One recipient per patient is the unique index on (campaign, NHS number); the first occurrence
of a patient (by list registration, then row) keeps it, an unsent later one giving way."""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pymongo import ASCENDING, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from cohort_contracts.vocabulary import RecipientStatus

from ..domain.model import TRANSITIONS, Recipient
from ..ports import Placement
from .mongo_campaigns import DUPLICATE_KEY
from .mongo_database import MongoHandle
from .mongo_recipient_docs import recipient_doc, recipient_from

READY = RecipientStatus.READY.value


def _now() -> datetime:
    return datetime.now(UTC)


class MongoRecipientRepository:
    def __init__(self, mongo: MongoHandle) -> None:
        self._c = mongo.db["recipients"]

    async def add_unique(self, recipients: Sequence[Recipient]) -> Placement:
        placement = Placement(duplicates={}, displaced=[])
        # Earliest rows first, so a patient twice in one batch is settled without a take-over.
        in_order = sorted(recipients, key=lambda r: r.source_rank)
        for newcomer in await self._insert_new(in_order):
            holder = await self._settle(newcomer, placement.displaced)
            if holder is not None:
                placement.duplicates[newcomer.id] = holder
        return placement

    async def _insert_new(self, recipients: Sequence[Recipient]) -> list[Recipient]:
        """Insert in one round trip; returns those refused by a unique index (their patient is
        held, or they were inserted by an earlier delivery of the same rows)."""
        if not recipients:
            return []
        try:
            await self._c.insert_many([recipient_doc(r) for r in recipients], ordered=False)
        except BulkWriteError as exc:
            errors = exc.details["writeErrors"]
            if any(e["code"] != DUPLICATE_KEY for e in errors):
                raise
            return [recipients[e["index"]] for e in errors]
        return []

    async def _settle(self, newcomer: Recipient, displaced: list[str]) -> str | None:
        """Who keeps ``newcomer``'s patient: None if the newcomer does (now inserted, or already
        there), else the holder's id. An unsent holder from a later row is deleted in favour of
        the newcomer (and named in ``displaced``). Each pass either ends or removes a holder
        from a later row, so this ends whatever other batches do at the same time."""
        key = {"campaign_id": str(newcomer.campaign_id), "nhs_number": newcomer.nhs_number}
        while True:
            holder = await self._c.find_one(key, {"status": 1, "source_rank": 1})
            if holder is None:
                try:
                    await self._c.insert_one(recipient_doc(newcomer))
                    return None
                except DuplicateKeyError:
                    continue  # another row of the patient got in first: look again
            if holder["_id"] == newcomer.id:
                return None
            if holder["status"] != READY or holder["source_rank"] < newcomer.source_rank:
                return str(holder["_id"])
            gone = await self._c.delete_one(
                {"_id": holder["_id"], "status": READY, "source_rank": holder["source_rank"]}
            )
            if gone.deleted_count:
                displaced.append(str(holder["_id"]))

    async def counts(self, campaign_id: UUID) -> dict[RecipientStatus, int]:
        cursor = await self._c.aggregate(
            [
                {"$match": {"campaign_id": str(campaign_id)}},
                {"$group": {"_id": "$status", "n": {"$sum": 1}}},
            ]
        )
        return {RecipientStatus(d["_id"]): d["n"] async for d in cursor}

    async def page(
        self, org_id: str, campaign_id: UUID, status: RecipientStatus | None, skip: int, limit: int
    ) -> tuple[list[Recipient], int]:
        query: dict[str, Any] = {"org_id": org_id, "campaign_id": str(campaign_id)}
        if status is not None:
            query["status"] = status.value
        total = await self._c.count_documents(query)
        order = [("list_id", ASCENDING), ("row_number", ASCENDING)]
        docs = await self._c.find(query).sort(order).skip(skip).limit(limit).to_list(None)
        return [recipient_from(d) for d in docs], total

    async def with_status(
        self, campaign_id: UUID, status: RecipientStatus, limit: int
    ) -> list[Recipient]:
        query = {"campaign_id": str(campaign_id), "status": status.value}
        order = [("list_id", ASCENDING), ("row_number", ASCENDING)]
        docs = await self._c.find(query).sort(order).limit(limit).to_list(None)
        return [recipient_from(d) for d in docs]

    async def mark_queued(self, recipients: Sequence[Recipient], batch_id: UUID) -> list[str]:
        if not recipients:
            return []
        now = _now()
        await self._c.bulk_write(
            [
                UpdateOne(
                    {"_id": r.id, "status": RecipientStatus.READY.value},
                    {
                        "$set": {
                            "status": RecipientStatus.QUEUED.value,
                            "batch_id": str(batch_id),
                            "body": r.body,
                            "subject": r.subject,
                            "updated_at": now,
                        }
                    },
                )
                for r in recipients
            ],
            ordered=False,
        )
        # A batch id is new to each call, so the recipients carrying it are the ones moved.
        ids = [r.id for r in recipients]
        query = {"_id": {"$in": ids}, "batch_id": str(batch_id)}
        moved = {d["_id"] async for d in self._c.find(query, {"_id": 1})}
        return [i for i in ids if i in moved]

    async def in_batch(self, batch_id: UUID) -> list[Recipient]:
        query = {"batch_id": str(batch_id), "status": RecipientStatus.QUEUED.value}
        return [recipient_from(d) async for d in self._c.find(query)]

    async def claim(self, org_id: str, campaign_id: UUID, ids: Sequence[str]) -> list[str]:
        claim_id = uuid.uuid4().hex
        await self._c.update_many(
            {
                "_id": {"$in": list(ids)},
                "org_id": org_id,
                "campaign_id": str(campaign_id),
                "status": RecipientStatus.QUEUED.value,
            },
            {
                "$set": {
                    "status": RecipientStatus.SENDING.value,
                    "claim_id": claim_id,
                    "updated_at": _now(),
                }
            },
        )
        # Each document moves at most once, so the ones carrying this claim id are exactly the
        # ones this call moved, however many callers raced for the same ids.
        query = {"_id": {"$in": list(ids)}, "claim_id": claim_id}
        return [d["_id"] async for d in self._c.find(query, {"_id": 1})]

    async def transition(
        self,
        org_id: str,
        recipient_id: str,
        to: RecipientStatus,
        reason_code: str | None = None,
        reason: str | None = None,
        *,
        provider_reference: str | None = None,
        from_states: frozenset[RecipientStatus] | None = None,
        batch_id: UUID | None = None,
    ) -> bool:
        allowed = [s.value for s in (from_states or TRANSITIONS[to])]
        changes: dict[str, Any] = {
            "status": to.value,
            "reason_code": reason_code,
            "reason": reason,
            "updated_at": _now(),
        }
        if provider_reference is not None:
            changes["provider_reference"] = provider_reference
        if to is RecipientStatus.DELIVERED:
            # The outbox flag is set in the same atomic update as the delivery, so a crash
            # between this write and the publish cannot lose the record entry.
            changes["record_entry"] = "pending"
        query: dict[str, Any] = {"_id": recipient_id, "org_id": org_id, "status": {"$in": allowed}}
        if batch_id is not None:
            query["batch_id"] = str(batch_id)
        result = await self._c.update_one(query, {"$set": changes})
        return bool(result.modified_count)

    async def expire(
        self,
        status: RecipientStatus,
        older_than: datetime,
        to: RecipientStatus,
        reason_code: str,
        reason: str,
    ) -> list[tuple[str, UUID]]:
        """Move recipients stuck in ``status`` since before ``older_than``; returns (org, campaign)
        pairs touched so their campaigns can be completed."""
        query = {"status": status.value, "updated_at": {"$lte": older_than}}
        touched = {
            (d["org_id"], UUID(d["campaign_id"]))
            async for d in self._c.find(query, {"org_id": 1, "campaign_id": 1})
        }
        await self._c.update_many(
            query,
            {
                "$set": {
                    "status": to.value,
                    "reason_code": reason_code,
                    "reason": reason,
                    "updated_at": _now(),
                }
            },
        )
        return sorted(touched)

    async def pending_record_entries(self, limit: int) -> list[Recipient]:
        docs = self._c.find({"record_entry": "pending"}).limit(limit)
        return [recipient_from(d) async for d in docs]

    async def count_pending_record_entries(self) -> int:
        return await self._c.count_documents({"record_entry": "pending"})

    async def record_entries_published(self, ids: Sequence[str]) -> None:
        await self._c.update_many(
            {"_id": {"$in": list(ids)}, "record_entry": "pending"},
            {"$set": {"record_entry": "published"}},
        )

    async def for_contact(self, org_id: str, contact: str) -> list[Recipient]:
        query = {
            "org_id": org_id,
            "contact": contact,
            "status": {"$ne": RecipientStatus.READY.value},
        }
        return [recipient_from(d) async for d in self._c.find(query)]

    async def set_reply(
        self, org_id: str, recipient_id: str, message: str, received_at: datetime
    ) -> None:
        # Keep the latest reply; an older one arriving late does not overwrite it.
        await self._c.update_one(
            {
                "_id": recipient_id,
                "org_id": org_id,
                "$or": [{"replied_at": None}, {"replied_at": {"$lte": received_at}}],
            },
            {"$set": {"reply": message, "replied_at": received_at}},
        )

    async def missing(self, ids: Sequence[str]) -> set[str]:
        found = {d["_id"] async for d in self._c.find({"_id": {"$in": list(ids)}}, {"_id": 1})}
        return set(ids) - found

    async def get(self, org_id: str, recipient_id: str) -> Recipient | None:
        doc = await self._c.find_one({"_id": recipient_id, "org_id": org_id})
        return None if doc is None else recipient_from(doc)

    async def find_by_provider_reference(
        self, org_id: str, provider_reference: str, contact: str
    ) -> str | None:
        doc = await self._c.find_one(
            {"org_id": org_id, "provider_reference": provider_reference, "contact": contact},
            {"_id": 1},
        )
        return None if doc is None else str(doc["_id"])

    async def cancel_claimed(self, org_id: str, ids: Sequence[str]) -> list[str]:
        query = {"_id": {"$in": list(ids)}, "org_id": org_id}
        await self._c.update_many(
            {**query, "status": RecipientStatus.SENDING.value}, {"$set": _CANCELLED()}
        )
        cancelled = {**query, "status": RecipientStatus.CANCELLED.value}
        return [d["_id"] async for d in self._c.find(cancelled, {"_id": 1})]

    async def cancel_unsent(self, campaign_id: UUID) -> int:
        result = await self._c.update_many(
            {
                "campaign_id": str(campaign_id),
                "status": {"$in": [s.value for s in TRANSITIONS[RecipientStatus.CANCELLED]]},
            },
            {"$set": _CANCELLED()},
        )
        return result.modified_count


def _CANCELLED() -> dict[str, Any]:
    return {
        "status": RecipientStatus.CANCELLED.value,
        "reason_code": "CANCELLED",
        "reason": "The campaign was cancelled before this message was sent.",
        "updated_at": _now(),
    }
