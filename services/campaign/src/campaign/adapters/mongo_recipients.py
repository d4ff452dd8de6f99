"""Recipients (one per patient per campaign) in MongoDB.

Every state change is a single-document conditional update (``status`` in the states it may
come from), so concurrent instances and redelivered messages can never move a recipient twice.
One recipient per patient is the unique index on (campaign, NHS number) (``placement``). Every
write that moves recipients adds what it moved to the campaign's counters (``counts``)."""

import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pymongo import ASCENDING, UpdateOne

from cohort_contracts.vocabulary import Channel, RecipientStatus

from ..domain.model import TRANSITIONS, Recipient
from ..ports import Move, Moved, Placement
from .mongo_database import Document, MongoHandle
from .mongo_recipient_counts import RecipientCounts, shifted
from .mongo_recipient_docs import recipient_from
from .mongo_recipient_placement import RecipientPlacement

#: The record service's state for a document in the practice's record (``RecordState.FILED``).
SAVED_TO_RECORD = "filed"
READY = RecipientStatus.READY.value
R = RecipientStatus


def _now() -> datetime:
    return datetime.now(UTC)


#: Times a move is decided again after losing a race; each loss means another writer moved
#: the recipient, which a recipient's few states bound.
RACE_ATTEMPTS = 4


class MongoRecipientRepository:
    def __init__(self, mongo: MongoHandle) -> None:
        self._record_counts = mongo.db["record_counts"]
        self._c = mongo.db["recipients"]
        self._counts = RecipientCounts(mongo)
        self._placement = RecipientPlacement(mongo, self._counts)

    async def add_unique(self, recipients: Sequence[Recipient]) -> Placement:
        return await self._placement.add_unique(recipients)

    async def counts(self, campaign_id: UUID) -> dict[RecipientStatus, int]:
        return await self._counts.read(campaign_id)

    async def counts_of(self, campaign_ids: list[UUID]) -> dict[UUID, dict[RecipientStatus, int]]:
        return await self._counts.read_many(campaign_ids)

    async def recount(self, campaign_id: UUID) -> dict[RecipientStatus, int]:
        return await self._counts.recount(campaign_id)

    async def any_in(self, campaign_id: UUID, statuses: Sequence[RecipientStatus]) -> bool:
        # One equality probe per status: each is a single index seek, where ``$in`` over the
        # statuses could not always use the index's order. In the caller's order: it decides
        # which concurrent moves the probes cannot miss.
        for status in statuses:
            query = {"campaign_id": str(campaign_id), "status": status.value}
            if await self._c.find_one(query, {"_id": 1}) is not None:
                return True
        return False

    async def page(
        self, org_id: str, campaign_id: UUID, status: RecipientStatus | None, skip: int, limit: int
    ) -> tuple[list[Recipient], int]:
        query: dict[str, Any] = {"org_id": org_id, "campaign_id": str(campaign_id)}
        if status is not None:
            query["status"] = status.value
        # The total comes from the campaign's counters: a read is one page, never a count.
        counts = await self._counts.read(campaign_id)
        total = counts.get(status, 0) if status is not None else sum(counts.values())
        order = [("list_id", ASCENDING), ("row_number", ASCENDING)]
        docs = await self._c.find(query).sort(order).skip(skip).limit(limit).to_list(None)
        return [recipient_from(d) for d in docs], total

    async def with_status(
        self,
        campaign_id: UUID,
        status: RecipientStatus,
        limit: int,
        channel: Channel | None = None,
    ) -> list[Recipient]:
        query = {"campaign_id": str(campaign_id), "status": status.value}
        if channel is not None:
            # Only while quiet hours hold a mixed campaign's SMS: its email still goes.
            query["channel"] = channel
        order = [("list_id", ASCENDING), ("row_number", ASCENDING)]
        docs = await self._c.find(query).sort(order).limit(limit).to_list(None)
        return [recipient_from(d) for d in docs]

    async def mark_queued(
        self,
        recipients: Sequence[Recipient],
        batch_id: UUID,
        message_keys: Sequence[str] = (),
        released_at: datetime | None = None,
    ) -> list[str]:
        if not recipients:
            return []
        now = _now()
        stamp: Document = {"message_keys": list(message_keys), "released_at": released_at or now}
        result = await self._c.bulk_write(
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
                            **(stamp if message_keys else {}),
                        }
                    },
                )
                for r in recipients
            ],
            ordered=False,
        )
        await self._counts.add(
            recipients[0].campaign_id, shifted(R.READY, R.QUEUED, result.modified_count)
        )
        # A batch id is new to each call, so the recipients carrying it are the ones moved.
        ids = [r.id for r in recipients]
        query = {"_id": {"$in": ids}, "batch_id": str(batch_id)}
        moved = {d["_id"] async for d in self._c.find(query, {"_id": 1})}
        return [i for i in ids if i in moved]

    async def in_batch(self, batch_id: UUID) -> list[Recipient]:
        query = {"batch_id": str(batch_id), "status": RecipientStatus.QUEUED.value}
        return [recipient_from(d) async for d in self._c.find(query)]

    async def claim(
        self,
        org_id: str,
        campaign_id: UUID,
        ids: Sequence[str],
        references: Mapping[str, str] | None = None,
    ) -> list[str]:
        claim_id = uuid.uuid4().hex
        # One guarded write per provider reference (a group's members share one), all under
        # this claim's id; most chunks are one or two groups.
        by_reference: dict[str | None, list[str]] = defaultdict(list)
        for recipient_id in ids:
            by_reference[(references or {}).get(recipient_id)].append(recipient_id)
        moved = 0
        for reference, members in by_reference.items():
            changes: dict[str, object] = {
                "status": RecipientStatus.SENDING.value,
                "claim_id": claim_id,
                "updated_at": _now(),
            }
            if reference is not None:
                changes["provider_reference"] = reference
            result = await self._c.update_many(
                {
                    "_id": {"$in": members},
                    "org_id": org_id,
                    "campaign_id": str(campaign_id),
                    "status": RecipientStatus.QUEUED.value,
                },
                {"$set": changes},
            )
            moved += result.modified_count
        await self._counts.add(campaign_id, shifted(R.QUEUED, R.SENDING, moved))
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
        move = Move(
            recipient_id, to, reason_code, reason, provider_reference, from_states, batch_id
        )
        return bool(await self.apply(org_id, [move]))

    async def apply(self, org_id: str, moves: Sequence[Move]) -> list[Moved]:
        done: list[Moved] = []
        # A recipient named twice moves once per round, in the order given.
        rounds: dict[str, list[Move]] = defaultdict(list)
        for move in moves:
            rounds[move.recipient_id].append(move)
        while rounds:
            first = [queue.pop(0) for queue in rounds.values()]
            done += await self._apply_until_settled(org_id, first)
            rounds = {rid: queue for rid, queue in rounds.items() if queue}
        return done

    async def _apply_until_settled(self, org_id: str, moves: Sequence[Move]) -> list[Moved]:
        """A move whose guarded write found its recipient moved on meanwhile (a receipt racing
        the send report of the same recipient) is decided again from where the recipient is
        now, rather than lost: ``sending`` → ``delivered`` that met ``sent`` applies as
        ``sent`` → ``delivered``; one that met a final state is dropped as not allowed."""
        done: list[Moved] = []
        for _ in range(RACE_ATTEMPTS):
            applied, lost = await self._apply_round(org_id, moves)
            done += applied
            if not lost:
                break
            moves = lost
        return done

    async def _apply_round(
        self, org_id: str, moves: Sequence[Move]
    ) -> tuple[list[Moved], list[Move]]:
        """Reads where each recipient is, writes each allowed move conditional on exactly that
        state, then reads back which writes applied (they carry this round's token): three
        round trips for the whole round, and exact knowledge of what moved for the counters.
        Returns what moved, and the allowed moves whose write found the recipient moved on."""
        ids = [m.recipient_id for m in moves]
        current = {
            d["_id"]: d
            async for d in self._c.find(
                {"_id": {"$in": ids}, "org_id": org_id},
                {"status": 1, "campaign_id": 1, "batch_id": 1},
            )
        }
        token, now = uuid.uuid4().hex, _now()
        writes: list[UpdateOne] = []
        planned: dict[str, Moved] = {}
        by_id = {m.recipient_id: m for m in moves}
        for move in moves:
            doc = current.get(move.recipient_id)
            if doc is None or not _allowed(move, doc):
                continue
            frm = RecipientStatus(doc["status"])
            query: Document = {"_id": move.recipient_id, "status": frm.value}
            if move.batch_id is not None:
                query["batch_id"] = str(move.batch_id)
            writes.append(UpdateOne(query, {"$set": _changes(move, now, token)}))
            planned[move.recipient_id] = Moved(
                move.recipient_id, UUID(doc["campaign_id"]), frm, move.to
            )
        if not writes:
            return [], []
        await self._c.bulk_write(writes, ordered=False)
        query = {"_id": {"$in": list(planned)}, "move": token}
        applied = {d["_id"] async for d in self._c.find(query, {"_id": 1})}
        done = [m for rid, m in planned.items() if rid in applied]
        deltas: dict[UUID, Counter[RecipientStatus]] = defaultdict(Counter)
        for m in done:
            deltas[m.campaign_id].update(shifted(m.frm, m.to))
        for campaign_id, delta in deltas.items():
            await self._counts.add(campaign_id, delta)
        lost = [by_id[rid] for rid in planned if rid not in applied]
        return done, lost

    async def expire(
        self,
        status: RecipientStatus,
        older_than: datetime,
        to: RecipientStatus,
        reason_code: str,
        reason: str,
    ) -> list[tuple[str, UUID]]:
        """Move recipients stuck in ``status`` since before ``older_than``, campaign by campaign
        (so each campaign's counters get what moved); returns the (org, campaign) pairs touched
        so their campaigns can be completed."""
        query = {"status": status.value, "updated_at": {"$lte": older_than}}
        touched = {
            (d["org_id"], UUID(d["campaign_id"]))
            async for d in self._c.find(query, {"org_id": 1, "campaign_id": 1})
        }
        changes = {
            "status": to.value,
            "reason_code": reason_code,
            "reason": reason,
            "updated_at": _now(),
        }
        for _, campaign_id in touched:
            result = await self._c.update_many(
                {**query, "campaign_id": str(campaign_id)}, {"$set": changes}
            )
            await self._counts.add(campaign_id, shifted(status, to, result.modified_count))
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

    async def set_record_state(
        self, org_id: str, recipient_id: str, state: str, reason_code: str | None, rank: int
    ) -> bool:
        moved = await self._c.find_one_and_update(
            {
                "_id": recipient_id,
                "org_id": org_id,
                "$or": [{"record_rank": None}, {"record_rank": {"$lt": rank}}],
            },
            {
                "$set": {
                    "record_state": state,
                    "record_reason_code": reason_code,
                    "record_rank": rank,
                }
            },
            projection={"campaign_id": 1},
        )
        if moved is None:
            return False
        if state == SAVED_TO_RECORD:
            # Filed is final (the top rank, reached once), so each recipient adds one, once.
            await self._record_counts.update_one(
                {"_id": moved["campaign_id"]}, {"$inc": {"saved": 1}}, upsert=True
            )
        return True

    async def saved_to_record(self, campaign_ids: list[UUID]) -> dict[UUID, int]:
        """Recipients saved to the GP record, per campaign, from counters kept as they are
        saved (like ``campaign_counts``: reads never count recipients)."""
        query = {"_id": {"$in": [str(i) for i in campaign_ids]}}
        found = {
            UUID(d["_id"]): int(d.get("saved", 0)) async for d in self._record_counts.find(query)
        }
        return {i: found.get(i, 0) for i in campaign_ids}

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

    async def find_by_provider_references(
        self, org_id: str, pairs: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], str]:
        if not pairs:
            return {}
        query = {
            "org_id": org_id,
            "provider_reference": {"$in": sorted({ref for ref, _ in pairs})},
            "contact": {"$in": sorted({mobile for _, mobile in pairs})},
        }
        wanted = set(pairs)
        found = {}
        async for d in self._c.find(query, {"provider_reference": 1, "contact": 1}):
            key = (d["provider_reference"], d["contact"])
            if key in wanted:
                found[key] = str(d["_id"])
        return found

    async def cancel_claimed(self, org_id: str, campaign_id: UUID, ids: Sequence[str]) -> list[str]:
        query = {"_id": {"$in": list(ids)}, "org_id": org_id, "campaign_id": str(campaign_id)}
        result = await self._c.update_many(
            {**query, "status": RecipientStatus.SENDING.value}, {"$set": _CANCELLED()}
        )
        await self._counts.add(campaign_id, shifted(R.SENDING, R.CANCELLED, result.modified_count))
        cancelled = {**query, "status": RecipientStatus.CANCELLED.value}
        return [d["_id"] async for d in self._c.find(cancelled, {"_id": 1})]

    async def cancel_unsent(self, campaign_id: UUID) -> int:
        cancelled = 0
        for frm in sorted(TRANSITIONS[R.CANCELLED]):
            result = await self._c.update_many(
                {"campaign_id": str(campaign_id), "status": frm.value}, {"$set": _CANCELLED()}
            )
            await self._counts.add(campaign_id, shifted(frm, R.CANCELLED, result.modified_count))
            cancelled += result.modified_count
        return cancelled


def _allowed(move: Move, doc: Document) -> bool:
    if RecipientStatus(doc["status"]) not in (move.from_states or TRANSITIONS[move.to]):
        return False
    return move.batch_id is None or doc.get("batch_id") == str(move.batch_id)


def _changes(move: Move, now: datetime, token: str) -> Document:
    changes: Document = {
        "status": move.to.value,
        "reason_code": move.reason_code,
        "reason": move.reason,
        "updated_at": now,
        "move": token,
    }
    if move.provider_reference is not None:
        changes["provider_reference"] = move.provider_reference
    if move.to is RecipientStatus.DELIVERED:
        # The outbox flag is set in the same atomic update as the delivery, so a crash
        # between this write and the publish cannot lose the record entry.
        changes["record_entry"] = "pending"
    return changes


def _CANCELLED() -> dict[str, Any]:
    return {
        "status": RecipientStatus.CANCELLED.value,
        "reason_code": "CANCELLED",
        "reason": "The campaign was cancelled before this message was sent.",
        "updated_at": _now(),
    }
