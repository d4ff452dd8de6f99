"""Record entries in MongoDB (collection ``record_entries``, ``_id`` the entry id).

Every change is one ``update_one``/``find_one_and_update`` whose filter names the states the
entry may move from (``domain.model.TRANSITIONS``) and, for a claimed send, the claim's holder:
two instances, a redelivered event or a repeated acknowledgement can never move an entry twice.
Each change bumps ``version``; changes staff should see also set ``status_pending`` (the status
outbox, ``handlers/statuses.py``). A final state removes the patient data."""

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from pymongo import ASCENDING, ReturnDocument

from cohort_contracts.record import RecordReason, RecordState
from cohort_mongo import count_by, insert_if_new, update_if

from ..domain.model import FINAL, TRANSITIONS, Content, Patient, RecordEntry
from .mongo_database import Document, MongoHandle

SENDING = RecordState.SENDING.value
PENDING = RecordState.PENDING.value


def _required(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _aware(value: datetime | None) -> datetime | None:
    return None if value is None else _required(value)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def entry_doc(e: RecordEntry) -> Document:
    doc: Document = {
        "_id": str(e.id),
        "org_id": e.org_id,
        "campaign_id": str(e.campaign_id),
        "recipient_id": e.recipient_id,
        "correlation_id": str(e.correlation_id),
        "state": e.state.value,
        "created_at": e.created_at,
        "updated_at": e.updated_at,
        "attempts": e.attempts,
        "next_attempt_at": e.next_attempt_at,
        "mesh_to": e.mesh_to,
        "reason_code": None if e.reason_code is None else e.reason_code.value,
        "detail": e.detail,
        "version": e.version,
        "status_pending": True,
    }
    if e.patient is not None:
        doc["patient"] = {
            "nhs_number": e.patient.nhs_number,
            "family_name": e.patient.family_name,
            "birth_date": _iso(e.patient.birth_date),
        }
    if e.content is not None:
        doc["content"] = {
            "channel": e.content.channel,
            "message_text": e.content.message_text,
            "subject": e.content.subject,
            "delivered_at": e.content.delivered_at,
        }
    return doc


def entry_from(d: Mapping[str, Any]) -> RecordEntry:
    p, c = d.get("patient"), d.get("content")
    return RecordEntry(
        id=UUID(d["_id"]),
        org_id=d["org_id"],
        campaign_id=UUID(d["campaign_id"]),
        recipient_id=d["recipient_id"],
        correlation_id=UUID(d["correlation_id"]),
        state=RecordState(d["state"]),
        created_at=_required(d["created_at"]),
        updated_at=_required(d["updated_at"]),
        patient=None
        if p is None
        else Patient(
            p["nhs_number"],
            p.get("family_name"),
            None if p.get("birth_date") is None else date.fromisoformat(p["birth_date"]),
        ),
        content=None
        if c is None
        else Content(
            c["channel"],
            c["message_text"],
            c.get("subject"),
            _required(c["delivered_at"]),
        ),
        attempts=d.get("attempts", 0),
        next_attempt_at=_aware(d.get("next_attempt_at")),
        claimed_by=d.get("claimed_by"),
        claim_expires_at=_aware(d.get("claim_expires_at")),
        mesh_message_id=d.get("mesh_message_id"),
        mesh_to=d.get("mesh_to"),
        sent_at=_aware(d.get("sent_at")),
        acknowledged_at=_aware(d.get("acknowledged_at")),
        reason_code=None if d.get("reason_code") is None else RecordReason(d["reason_code"]),
        detail=d.get("detail"),
        version=d.get("version", 0),
    )


def _from_states(states: frozenset[RecordState]) -> dict[str, Any]:
    return {"$in": sorted(s.value for s in states)}


class MongoRecordEntries:
    def __init__(self, mongo: MongoHandle) -> None:
        self._c = mongo.db["record_entries"]

    async def add(self, entry: RecordEntry) -> bool:
        return await insert_if_new(self._c, entry_doc(entry))

    async def get(self, entry_id: UUID) -> RecordEntry | None:
        d = await self._c.find_one({"_id": str(entry_id)})
        return None if d is None else entry_from(d)

    async def find_by_mesh_id(self, mesh_message_id: str) -> RecordEntry | None:
        d = await self._c.find_one({"mesh_message_id": mesh_message_id})
        return None if d is None else entry_from(d)

    async def claim_due(
        self, holder: str, now: datetime, claim_s: float, limit: int
    ) -> list[RecordEntry]:
        due = {"state": PENDING, "next_attempt_at": {"$lte": now}}
        orphaned = {"state": SENDING, "claim_expires_at": {"$lte": now}}
        candidates = await (
            self._c.find(due, {"_id": 1}).sort([("next_attempt_at", ASCENDING)]).limit(limit)
        ).to_list(None)
        if len(candidates) < limit:
            candidates += (
                await self._c.find(orphaned, {"_id": 1})
                .limit(limit - len(candidates))
                .to_list(None)
            )
        claim = {
            "$set": {
                "state": SENDING,
                "claimed_by": holder,
                "claim_expires_at": now + timedelta(seconds=claim_s),
                "updated_at": now,
            },
            "$inc": {"version": 1},
        }
        claimed: list[RecordEntry] = []
        for candidate in candidates:
            before = await self._c.find_one_and_update(
                {"_id": candidate["_id"], "$or": [due, orphaned]},
                claim,
                return_document=ReturnDocument.BEFORE,
            )
            if before is not None:
                claimed.append(entry_from(before))
        return claimed

    async def mark_sent(
        self, entry_id: UUID, holder: str, mesh_message_id: str, mesh_to: str, now: datetime
    ) -> bool:
        return await self._release_claim(
            entry_id,
            holder,
            {
                "state": RecordState.SENT.value,
                "mesh_message_id": mesh_message_id,
                "mesh_to": mesh_to,
                "sent_at": now,
                "updated_at": now,
                "status_pending": True,
            },
        )

    async def retry_later(
        self, entry_id: UUID, holder: str, attempts: int, next_attempt_at: datetime, detail: str
    ) -> bool:
        return await self._release_claim(
            entry_id,
            holder,
            {
                "state": PENDING,
                "attempts": attempts,
                "next_attempt_at": next_attempt_at,
                "detail": detail,
                "updated_at": datetime.now(UTC),
            },
        )

    async def _release_claim(self, entry_id: UUID, holder: str, changes: Document) -> bool:
        """Applies ``changes`` to an entry ``holder`` still has claimed in ``sending`` and drops
        the claim; false when the claim was lost (expired and taken by another worker)."""
        return await update_if(
            self._c,
            {"_id": str(entry_id), "state": SENDING, "claimed_by": holder},
            {
                "$set": changes,
                "$unset": {"claimed_by": "", "claim_expires_at": ""},
                "$inc": {"version": 1},
            },
        )

    async def move(
        self,
        entry_id: UUID,
        to: RecordState,
        now: datetime,
        *,
        reason: RecordReason | None = None,
        detail: str | None = None,
    ) -> bool:
        changes: dict[str, Any] = {"state": to.value, "updated_at": now, "status_pending": True}
        if reason is not None:
            changes["reason_code"] = reason.value
        if detail is not None:
            changes["detail"] = detail
        if to is RecordState.ACKNOWLEDGED:
            changes["acknowledged_at"] = now
        update: dict[str, Any] = {"$set": changes, "$inc": {"version": 1}}
        if to in FINAL:
            update["$unset"] = {
                "patient": "",
                "content": "",
                "claimed_by": "",
                "claim_expires_at": "",
            }
        guard = {"_id": str(entry_id), "state": _from_states(TRANSITIONS[to])}
        return await update_if(self._c, guard, update)

    async def awaiting_ack(
        self, state: RecordState, since_before: datetime, limit: int
    ) -> list[RecordEntry]:
        field = "sent_at" if state is RecordState.SENT else "acknowledged_at"
        docs = await (
            self._c.find({"state": state.value, field: {"$lte": since_before}})
            .sort([(field, ASCENDING)])
            .limit(limit)
        ).to_list(None)
        return [entry_from(d) for d in docs]

    async def unpublished(self, limit: int) -> list[RecordEntry]:
        docs = await self._c.find({"status_pending": True}).limit(limit).to_list(None)
        return [entry_from(d) for d in docs]

    async def mark_published(self, entry_id: UUID, version: int) -> None:
        await self._c.update_one(
            {"_id": str(entry_id), "version": version, "status_pending": True},
            {"$set": {"status_pending": False}},
        )

    async def counts(self) -> dict[RecordState, int]:
        return {RecordState(state): n for state, n in await count_by(self._c, {}, "$state")}
