"""Recipients moved one by one between states, as reports, receipts and exclusions ask.

Each write is conditional on exactly the state the move was decided from, and carries a token
read back afterwards, so the counters get exactly what moved however many writers race."""

import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

from pymongo import UpdateOne

from cohort_contracts.vocabulary import RecipientStatus

from ..domain.model import TRANSITIONS
from ..ports.recipients import Move, Moved
from .mongo_database import Document, MongoHandle
from .mongo_recipient_counts import RecipientCounts, shifted
from .mongo_recipient_docs import recipients_collection

#: Times a move is decided again after losing a race; each loss means another writer moved
#: the recipient, which a recipient's few states bound.
RACE_ATTEMPTS = 4


class RecipientMoves:
    def __init__(self, mongo: MongoHandle, counts: RecipientCounts) -> None:
        self._c = recipients_collection(mongo)
        self._counts = counts

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
        token, now = uuid.uuid4().hex, datetime.now(UTC)
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


def _allowed(move: Move, doc: Document) -> bool:
    if RecipientStatus(doc["status"]) not in (move.from_states or TRANSITIONS[move.to]):
        return False
    return move.batch_id is None or doc.get("batch_id") == str(move.batch_id)


def _changes(move: Move, now: datetime, token: str) -> Document:
    changes: Document = {
        "status": move.to.value,
        "reason_code": move.reason_code,
        "reason": move.reason,
        # Written with the reason it qualifies, so a move away from a failure clears it.
        "failure_permanent": move.failure_permanent,
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
