"""Campaigns and patient lists in MongoDB."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pymongo import ASCENDING, DESCENDING, UpdateOne
from pymongo.errors import DuplicateKeyError

from cohort_contracts.campaign_settings import BookingSettings, QuestionnaireSettings
from cohort_contracts.vocabulary import CampaignStatus

from ..domain.model import Campaign, Message, PatientList
from ..domain.rows import ListProgress, ListRow
from ..ports.campaigns import ConcurrentUpdate

__all__ = ["MongoCampaignRepository", "MongoPatientListRepository"]
from cohort_mongo import count_by, insert_if_new, insert_new, update_if

from .mongo_database import Document, MongoHandle

#: The overview's order, newest first: an index's (``mongo_database``), so a page reads only
#: itself.
OVERVIEW_ORDER = [("created_at", DESCENDING), ("_id", ASCENDING)]


def _campaign_doc(c: Campaign) -> Document:
    return {
        "_id": str(c.id),
        "org_id": c.org_id,
        "name": c.name,
        "type": c.type,
        "status": c.status.value,
        "created_by": c.created_by,
        "created_at": c.created_at,
        "message": None if c.message is None else vars(c.message),
        "paused_reason": c.paused_reason,
        "allow_replies": c.allow_replies,
        "booking": None if c.booking is None else c.booking.model_dump(),
        "questionnaire": None if c.questionnaire is None else c.questionnaire.model_dump(),
        "link_expiry_days": c.link_expiry_days,
        "template_id": c.template_id,
        "template_version": c.template_version,
        "sent_at": c.sent_at,
        "applied_requests": c.applied_requests,
        "send_at": c.send_at,
        "send_requested_by": c.send_requested_by,
        "approved_by": c.approved_by,
        "sent_back_by": c.sent_back_by,
        "sent_back_reason": c.sent_back_reason,
        "held_until": c.held_until,
        "spread_hours": c.spread_hours,
        "follows_up": None if c.follows_up is None else str(c.follows_up),
        "removed_lists": c.removed_lists,
        "spread_per_hour": c.spread_per_hour,
        "spread_window_start": c.spread_window_start,
        "spread_window_released": c.spread_window_released,
    }


def _campaign(d: Document) -> Campaign:
    message = d.get("message")
    return Campaign(
        id=UUID(d["_id"]),
        org_id=d["org_id"],
        name=d["name"],
        type=d["type"],
        status=CampaignStatus(d["status"]),
        created_by=d["created_by"],
        created_at=d["created_at"],
        message=None if message is None else Message(**message),
        paused_reason=d.get("paused_reason"),
        allow_replies=d.get("allow_replies", False),
        booking=None if d.get("booking") is None else BookingSettings(**d["booking"]),
        questionnaire=None
        if d.get("questionnaire") is None
        else QuestionnaireSettings(**d["questionnaire"]),
        link_expiry_days=d.get("link_expiry_days", 7),
        template_id=d.get("template_id"),
        template_version=d.get("template_version"),
        sent_at=d.get("sent_at"),
        version=d.get("version", 0),
        applied_requests=d.get("applied_requests", []),
        send_at=d.get("send_at"),
        send_requested_by=d.get("send_requested_by"),
        approved_by=d.get("approved_by"),
        sent_back_by=d.get("sent_back_by"),
        sent_back_reason=d.get("sent_back_reason"),
        held_until=d.get("held_until"),
        spread_hours=d.get("spread_hours"),
        follows_up=UUID(d["follows_up"]) if d.get("follows_up") else None,
        removed_lists=d.get("removed_lists", []),
        spread_per_hour=d.get("spread_per_hour"),
        spread_window_start=d.get("spread_window_start"),
        spread_window_released=d.get("spread_window_released", 0),
    )


class MongoCampaignRepository:
    def __init__(self, mongo: MongoHandle) -> None:
        self._c = mongo.db["campaigns"]

    async def add(self, campaign: Campaign) -> bool:
        return await insert_if_new(
            self._c, {**_campaign_doc(campaign), "version": campaign.version}
        )

    async def get(self, org_id: str, campaign_id: UUID) -> Campaign | None:
        doc = await self._c.find_one({"_id": str(campaign_id), "org_id": org_id})
        return None if doc is None else _campaign(doc)

    async def get_in(self, orgs: Sequence[str], campaign_id: UUID) -> Campaign | None:
        doc = await self._c.find_one({"_id": str(campaign_id), "org_id": {"$in": list(orgs)}})
        return None if doc is None else _campaign(doc)

    async def save(self, campaign: Campaign) -> None:
        """Compare-and-set on ``version``: one atomic update that applies only if nobody saved
        since this campaign was read, so concurrent handlers (and instances) can never
        overwrite each other's changes; the loser re-reads and decides again."""
        changes = _campaign_doc(campaign)
        del changes["_id"]
        result = await self._c.update_one(
            {"_id": str(campaign.id), "version": campaign.version},
            {"$set": changes, "$inc": {"version": 1}},
        )
        if result.matched_count == 0:
            raise ConcurrentUpdate(campaign.id)
        campaign.version += 1

    async def page(
        self, orgs: Sequence[str], status: CampaignStatus | None, skip: int, limit: int
    ) -> tuple[list[Campaign], int]:
        query: dict[str, Any] = {"org_id": {"$in": list(orgs)}}
        if status is not None:
            query["status"] = status.value
        total = await self._c.count_documents(query)
        cursor = self._c.find(query).sort(OVERVIEW_ORDER)
        docs = await cursor.skip(skip).limit(limit).to_list(None)
        return [_campaign(d) for d in docs], total

    async def list_sending(self) -> list[Campaign]:
        docs = await self._c.find({"status": CampaignStatus.SENDING.value}).to_list(None)
        return [_campaign(d) for d in docs]

    async def list_due(self, now: datetime) -> list[Campaign]:
        """Scheduled campaigns whose time has come (index: status, send_at)."""
        query = {"status": CampaignStatus.SCHEDULED.value, "send_at": {"$lte": now}}
        return [_campaign(d) async for d in self._c.find(query)]

    async def list_unsettled(self) -> list[Campaign]:
        ended = [CampaignStatus.COMPLETED.value, CampaignStatus.CANCELLED.value]
        query = {"status": {"$in": ended}, "counts_settled": {"$ne": True}}
        return [_campaign(d) async for d in self._c.find(query)]

    async def mark_counts_settled(self, campaign_id: UUID) -> None:
        # Not a change of the campaign's state: no version, never conflicts with one.
        await self._c.update_one({"_id": str(campaign_id)}, {"$set": {"counts_settled": True}})


def _list_doc(p: PatientList) -> Document:
    return {
        "_id": str(p.id),
        "campaign_id": str(p.campaign_id),
        "org_id": p.org_id,
        "channel": p.channel,
        "filename": p.filename,
        "columns": p.columns,
        "total_rows": p.total_rows,
        "created_at": p.created_at,
        "ordinal": p.ordinal,
    }


def _list(d: Document) -> PatientList:
    return PatientList(
        id=UUID(d["_id"]),
        campaign_id=UUID(d["campaign_id"]),
        org_id=d["org_id"],
        channel=d["channel"],
        filename=d["filename"],
        columns=d["columns"],
        total_rows=d["total_rows"],
        created_at=_created_at(d),
    )


def _created_at(d: Document) -> datetime:
    """The stored ordinal keeps the microseconds the stored date has lost."""
    if ordinal := d.get("ordinal"):
        return datetime.strptime(ordinal.split(":")[0], "%Y%m%d%H%M%S%f").replace(tzinfo=UTC)
    created: datetime = d["created_at"]
    return created


def _row_doc(r: ListRow) -> Document:
    return {
        "_id": f"{r.list_id}:{r.row_number}",
        "list_id": str(r.list_id),
        "campaign_id": str(r.campaign_id),
        "org_id": r.org_id,
        "row_number": r.row_number,
        "cells": r.cells,
        "reason_code": r.reason_code,
        "recipient_id": r.recipient_id,
    }


def _row(d: Document) -> ListRow:
    return ListRow(
        list_id=UUID(d["list_id"]),
        campaign_id=UUID(d["campaign_id"]),
        org_id=d["org_id"],
        row_number=d["row_number"],
        cells=d["cells"],
        reason_code=d["reason_code"],
        recipient_id=d["recipient_id"],
    )


class MongoPatientListRepository:
    def __init__(self, mongo: MongoHandle) -> None:
        self._lists = mongo.db["patient_lists"]
        self._rows = mongo.db["list_rows"]

    async def add(self, patient_list: PatientList, *, rows_pending: bool = False) -> PatientList:
        doc = _list_doc(patient_list)
        if rows_pending:
            # Only lists with rows to hand out carry the field: the sweep's partial index
            # holds just those.
            doc["rows_pending_since"] = patient_list.created_at
        try:
            await self._lists.insert_one(doc)
            return patient_list
        except DuplicateKeyError:
            # A repeated registration: the list as first stored (its time orders its rows).
            stored = await self.get(patient_list.org_id, patient_list.campaign_id, patient_list.id)
            if stored is None:
                raise
            return stored

    async def get(self, org_id: str, campaign_id: UUID, list_id: UUID) -> PatientList | None:
        doc = await self._lists.find_one(
            {"_id": str(list_id), "campaign_id": str(campaign_id), "org_id": org_id}
        )
        return None if doc is None else _list(doc)

    async def for_campaign(self, campaign_id: UUID) -> list[PatientList]:
        docs = await self._lists.find({"campaign_id": str(campaign_id)}).to_list(None)
        return [_list(d) for d in docs]

    async def rows_queued(self, list_id: UUID) -> None:
        await self._lists.update_one({"_id": str(list_id)}, {"$unset": {"rows_pending_since": ""}})

    async def rows_pending(self, before: datetime) -> list[PatientList]:
        docs = self._lists.find({"rows_pending_since": {"$lte": before}})
        return [_list(d) async for d in docs]

    async def claim_rows_pending(self, list_id: UUID, before: datetime, now: datetime) -> bool:
        # Re-arms the wait for whoever claims it first: of several instances sweeping at
        # once, one queues the rows and the others see the list as freshly pending. The count
        # makes every claim a change (setting a time equal to the stored one, to the
        # millisecond, would modify nothing) and tells an operator how often it was needed.
        return await update_if(
            self._lists,
            {"_id": str(list_id), "rows_pending_since": {"$lte": before}},
            {"$set": {"rows_pending_since": now}, "$inc": {"rows_queue_claims": 1}},
        )

    async def remove(self, org_id: str, campaign_id: UUID, list_id: UUID) -> None:
        # Rows first: a list whose document is gone but whose rows stay would be invisible
        # clutter; rows without a list are never read.
        await self._rows.delete_many({"list_id": str(list_id), "campaign_id": str(campaign_id)})
        await self._lists.delete_one(
            {"_id": str(list_id), "campaign_id": str(campaign_id), "org_id": org_id}
        )

    async def record_rows(self, rows: Sequence[ListRow]) -> None:
        if rows:
            # Rows already stored by an earlier delivery of the same batch keep their outcome.
            await insert_new(self._rows, [_row_doc(r) for r in rows])

    async def progress(self, patient_list: PatientList) -> ListProgress:
        list_id = str(patient_list.id)
        processed = await self._rows.count_documents({"list_id": list_id})
        failed = await self._group_reasons({"list_id": list_id, "reason_code": {"$ne": None}})
        return ListProgress(
            processed=processed,
            succeeded=processed - sum(failed.values()),
            failed_by_reason=failed,
        )

    async def unsuccessful(self, list_id: UUID, after_row: int, limit: int) -> list[ListRow]:
        query = {
            "list_id": str(list_id),
            "reason_code": {"$ne": None},
            "row_number": {"$gt": after_row},
        }
        docs = await self._rows.find(query).sort("row_number", ASCENDING).limit(limit).to_list(None)
        return [_row(d) for d in docs]

    async def failed_by_reason(self, campaign_id: UUID) -> dict[str, int]:
        return await self._group_reasons(
            {"campaign_id": str(campaign_id), "reason_code": {"$ne": None}}
        )

    async def mark_duplicate(self, recipient_id: str) -> None:
        await self._rows.update_one(
            {"recipient_id": recipient_id},
            {"$set": {"reason_code": "DUPLICATE_PATIENT", "recipient_id": None}},
        )

    async def mark_placed(self, list_id: UUID, placed: Sequence[tuple[int, str]]) -> None:
        if not placed:
            return
        await self._rows.bulk_write(
            [
                UpdateOne(
                    {"_id": f"{list_id}:{row_number}", "reason_code": "DUPLICATE_PATIENT"},
                    {"$set": {"reason_code": None, "recipient_id": recipient_id}},
                )
                for row_number, recipient_id in placed
            ],
            ordered=False,
        )

    async def _group_reasons(self, match: Document) -> dict[str, int]:
        return dict(await count_by(self._rows, match, "$reason_code"))
