"""The patient's side of links, in MongoDB: ``link_access`` (wrong answers, lock, first
confirmation; one per recipient), ``appointments`` (booking attempts; the id comes from the
recipient and the request's idempotency key), ``questionnaire_responses`` (one per recipient)
and ``patient_events`` (what patients did, keyed so a repeat is stored once). Every change is a
conditional single-document write; the indexes are in ``mongo_database.PATIENT_INDEXES``."""

import contextlib
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from cohort_mongo import count_by, insert_if_new, update_if

from ..domain.appointments import AppointmentRecord, PatientEvent
from ..domain.patient_access import LinkAccess
from ..domain.questionnaires import QuestionnaireResponse
from ..domain.time_order import TimePosition
from .mongo_database import Document, MongoHandle
from .mongo_paging import read_after

#: Staff's list of a campaign's appointments, and of its questionnaire responses: each the
#: order of an index (``mongo_database``), so that a page reads only itself.
APPOINTMENT_ORDER = [("start", ASCENDING), ("_id", ASCENDING)]
RESPONSE_ORDER = [("authored", ASCENDING), ("_id", ASCENDING)]

T = TypeVar("T")


class MongoLinkAccess:
    def __init__(self, mongo: MongoHandle) -> None:
        self._c = mongo.db["link_access"]

    async def get(self, recipient_id: str) -> LinkAccess:
        d = await self._c.find_one({"_id": recipient_id})
        return LinkAccess() if d is None else _access(d)

    async def wrong_answer(
        self, org_id: str, campaign_id: UUID, recipient_id: str, at: datetime, max_attempts: int
    ) -> LinkAccess:
        # $inc is atomic: answers racing each other are all counted.
        d = await self._c.find_one_and_update(
            {"_id": recipient_id},
            {
                "$inc": {"failures": 1},
                "$set": {"last_failure_at": at},
                "$setOnInsert": {"org_id": org_id, "campaign_id": str(campaign_id)},
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert d is not None  # an upsert always returns the document after
        if d["failures"] >= max_attempts and d.get("locked_at") is None:
            await self._c.update_one(
                {"_id": recipient_id, "locked_at": None}, {"$set": {"locked_at": at}}
            )
            d["locked_at"] = at
        return _access(d)

    async def verified(self, recipient_id: str, at: datetime) -> None:
        # Confirmed before: the first time is kept (the upsert meets the existing document).
        with contextlib.suppress(DuplicateKeyError):
            await self._c.update_one(
                {"_id": recipient_id, "verified_at": None},
                {"$set": {"verified_at": at}},
                upsert=True,
            )


def _access(d: Document) -> LinkAccess:
    return LinkAccess(
        failures=d.get("failures", 0),
        last_failure_at=d.get("last_failure_at"),
        locked_at=d.get("locked_at"),
        verified_at=d.get("verified_at"),
    )


_RECORD_FIELDS = (
    "org_id",
    "campaign_id",
    "recipient_id",
    "slot_id",
    "start",
    "end",
    "type_text",
    "created_at",
    "status",
    "location",
    "practitioner",
    "gp_id",
    "booked_at",
    "cancelled_at",
    "cancelled_because",
    "failure",
)


def _record_doc(r: AppointmentRecord) -> Document:
    return {"_id": r.id, **{f: getattr(r, f) for f in _RECORD_FIELDS}}


def _record(d: Document) -> AppointmentRecord:
    fields: dict[str, Any] = {f: d.get(f) for f in _RECORD_FIELDS}
    return AppointmentRecord(id=d["_id"], **fields)


class _CampaignPages(Generic[T]):
    """Staff's pages of a campaign's appointments or questionnaire responses, in ``order`` (an
    index's, so that a page reads only itself): by number, or on from a cursor's position."""

    def __init__(
        self,
        collection: AsyncCollection[Document],
        order: list[tuple[str, int]],
        listed: Callable[[UUID], Document],
        item: Callable[[Document], T],
    ) -> None:
        self._c = collection
        self._order = order
        self._listed = listed
        self._item = item

    async def page(self, campaign_id: UUID, skip: int, limit: int) -> tuple[list[T], int]:
        query = self._listed(campaign_id)
        total = await self._c.count_documents(query)
        cursor = self._c.find(query).sort(self._order).skip(skip).limit(limit)
        return [self._item(d) async for d in cursor], total

    async def page_after(
        self, campaign_id: UUID, after: TimePosition, limit: int
    ) -> tuple[list[T], int]:
        query = self._listed(campaign_id)
        total = await self._c.count_documents(query)
        docs = await read_after(self._c, query, self._order, (after.at, after.id), limit)
        return [self._item(d) for d in docs], total


class MongoAppointments(_CampaignPages[AppointmentRecord]):
    def __init__(self, mongo: MongoHandle) -> None:
        super().__init__(mongo.db["appointments"], APPOINTMENT_ORDER, _listed, _record)

    async def add(self, record: AppointmentRecord) -> bool:
        return await insert_if_new(self._c, _record_doc(record))

    async def get(self, record_id: str) -> AppointmentRecord | None:
        d = await self._c.find_one({"_id": record_id})
        return None if d is None else _record(d)

    async def retry(self, record_id: str) -> bool:
        return await update_if(
            self._c,
            {"_id": record_id, "status": "failed"},
            {"$set": {"status": "booking"}, "$unset": {"failure": ""}},
        )

    async def booked(self, record: AppointmentRecord) -> None:
        await self._c.update_one(
            {"_id": record.id, "status": "booking"},
            {
                "$set": {
                    "status": "booked",
                    "active": True,
                    "gp_id": record.gp_id,
                    "booked_at": record.booked_at,
                    "location": record.location,
                    "practitioner": record.practitioner,
                }
            },
        )

    async def failed(self, record_id: str, failure: str) -> None:
        await self._c.update_one(
            {"_id": record_id, "status": "booking"},
            {"$set": {"status": "failed", "failure": failure}},
        )

    async def cancelled(self, record_id: str, at: datetime, because: str) -> bool:
        return await update_if(
            self._c,
            {"_id": record_id, "status": "booked"},
            {
                "$set": {"status": "cancelled", "cancelled_at": at, "cancelled_because": because},
                "$unset": {"active": ""},
            },
        )

    async def active(self, recipient_id: str) -> AppointmentRecord | None:
        found = self._c.find({"recipient_id": recipient_id, "active": True}).sort("booked_at", -1)
        async for d in found.limit(1):
            return _record(d)
        return None

    async def booked_counts(self, campaign_ids: Sequence[UUID]) -> dict[UUID, int]:
        return await _counts(
            self._c, {"campaign_id": {"$in": [str(c) for c in campaign_ids]}, "active": True}
        )


def _listed(campaign_id: UUID) -> Document:
    return {"campaign_id": str(campaign_id), "status": {"$in": ["booked", "cancelled"]}}


def _answered(campaign_id: UUID) -> Document:
    return {"campaign_id": str(campaign_id)}


async def _counts(collection: Any, match: Document) -> dict[UUID, int]:
    return {UUID(c): n for c, n in await count_by(collection, match, "$campaign_id")}


class MongoResponses(_CampaignPages[QuestionnaireResponse]):
    def __init__(self, mongo: MongoHandle) -> None:
        super().__init__(mongo.db["questionnaire_responses"], RESPONSE_ORDER, _answered, _response)

    async def add(self, response: QuestionnaireResponse) -> bool:
        doc = {
            "_id": response.recipient_id,
            "org_id": response.org_id,
            "campaign_id": str(response.campaign_id),
            "answers": response.answers,
            "fhir": response.fhir_json,
            "authored": response.authored,
        }
        return await insert_if_new(self._c, doc)

    async def get(self, recipient_id: str) -> QuestionnaireResponse | None:
        d = await self._c.find_one({"_id": recipient_id})
        return None if d is None else _response(d)

    async def counts(self, campaign_ids: Sequence[UUID]) -> dict[UUID, int]:
        return await _counts(self._c, {"campaign_id": {"$in": [str(c) for c in campaign_ids]}})


def _response(d: Document) -> QuestionnaireResponse:
    return QuestionnaireResponse(
        org_id=d["org_id"],
        campaign_id=UUID(d["campaign_id"]),
        recipient_id=d["_id"],
        answers=d["answers"],
        fhir_json=d["fhir"],
        authored=d["authored"],
    )


class MongoPatientEvents:
    def __init__(self, mongo: MongoHandle) -> None:
        self._c = mongo.db["patient_events"]

    async def add(self, event: PatientEvent) -> bool:
        doc = {
            "_id": event.key,
            "org_id": event.org_id,
            "campaign_id": event.campaign_id,
            "recipient_id": event.recipient_id,
            "action": event.action,
            "at": event.at,
            "details": event.details,
        }
        return await insert_if_new(self._c, doc)

    async def of(self, recipient_id: str) -> list[PatientEvent]:
        cursor = self._c.find({"recipient_id": recipient_id}).sort([("at", 1), ("_id", 1)])
        return [
            PatientEvent(
                d["_id"],
                d["org_id"],
                d["campaign_id"],
                d["recipient_id"],
                d["action"],
                d["at"],
                d.get("details", {}),
            )
            async for d in cursor
        ]

    async def counts(
        self, campaign_ids: Sequence[UUID], actions: Sequence[str]
    ) -> dict[tuple[UUID, str], int]:
        match = {
            "campaign_id": {"$in": [str(c) for c in campaign_ids]},
            "action": {"$in": list(actions)},
        }
        found = await count_by(self._c, match, {"c": "$campaign_id", "a": "$action"})
        return {(UUID(k["c"]), k["a"]): n for k, n in found}
