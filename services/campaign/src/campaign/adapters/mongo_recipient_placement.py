"""One recipient per patient per campaign: the unique index on (campaign, NHS number), and the
first occurrence of a patient (by list registration, then row) keeping it.

A row's recipient is inserted; if the index refuses it, the patient's holder is looked up: an
unsent holder from a later row is deleted and the newcomer inserted in its place, otherwise the
newcomer is a duplicate. Concurrent batches and redeliveries settle through the index alone."""

from collections.abc import Collection, Sequence
from uuid import UUID

from pymongo.errors import DuplicateKeyError

from cohort_contracts.vocabulary import RecipientStatus
from cohort_mongo import insert_new

from ..domain.model import TAKEN_OUT_BEFORE_SENDING, Recipient
from ..ports.recipients import Placement
from .mongo_database import MongoHandle
from .mongo_recipient_counts import RecipientCounts
from .mongo_recipient_docs import recipient_doc, recipients_collection

READY = RecipientStatus.READY.value
FAILED = RecipientStatus.FAILED.value


class RecipientPlacement:
    def __init__(self, mongo: MongoHandle, counts: RecipientCounts) -> None:
        self._c = recipients_collection(mongo)
        self._counts = counts

    async def add_unique(
        self, recipients: Sequence[Recipient], *, removed_lists: Collection[str] = ()
    ) -> Placement:
        placement = Placement(duplicates={}, displaced=[])
        if not recipients:
            return placement
        # Earliest rows first, so a patient twice in one batch is settled without a take-over.
        in_order = sorted(recipients, key=lambda r: r.source_rank)
        clashed, inserted = await self._insert_new(in_order)
        await self._ready(recipients[0], inserted)
        for newcomer in clashed:
            holder = await self._settle(newcomer, placement.displaced, removed_lists)
            if holder is not None:
                placement.duplicates[newcomer.id] = holder
        return placement

    async def _ready(self, r: Recipient, n: int) -> None:
        # Right after each write, so only a crash between a write and this loses a count.
        await self._counts.add(r.campaign_id, {RecipientStatus.READY: n})

    async def _insert_new(self, recipients: Sequence[Recipient]) -> tuple[list[Recipient], int]:
        """Insert in one round trip; returns those refused by a unique index (their patient is
        held, or they were inserted by an earlier delivery of the same rows) and how many went
        in."""
        refused = await insert_new(self._c, [recipient_doc(r) for r in recipients])
        return [recipients[i] for i in refused], len(recipients) - len(refused)

    async def _settle(
        self, newcomer: Recipient, displaced: list[str], removed_lists: Collection[str]
    ) -> str | None:
        """Who keeps ``newcomer``'s patient: None if the newcomer does (now inserted, or already
        there), else the holder's id. An unsent holder from a later row, or from a removed
        list, is deleted in favour of the newcomer (and named in ``displaced``), and so is a
        holder taken out before it was sent (opted out, or its number failed for good): the
        patient uploaded again, with a number that passed those checks, is in again. Each pass
        either ends or removes a holder, so this ends whatever other batches do at the same
        time."""
        key = {"campaign_id": str(newcomer.campaign_id), "nhs_number": newcomer.nhs_number}
        fields = {"status": 1, "source_rank": 1, "list_id": 1, "reason_code": 1}
        while True:
            holder = await self._c.find_one(key, fields)
            if holder is None:
                try:
                    await self._c.insert_one(recipient_doc(newcomer))
                    await self._ready(newcomer, 1)
                    return None
                except DuplicateKeyError:
                    continue  # another row of the patient got in first: look again
            if holder["_id"] == newcomer.id:
                return None
            earlier = holder["source_rank"] < newcomer.source_rank
            removed = holder.get("list_id") in removed_lists
            reason = holder.get("reason_code")
            taken_out = holder["status"] == FAILED and reason in TAKEN_OUT_BEFORE_SENDING
            if not taken_out and (holder["status"] != READY or (earlier and not removed)):
                return str(holder["_id"])
            gone = await self._c.delete_one(
                {
                    "_id": holder["_id"],
                    "status": holder["status"],
                    "source_rank": holder["source_rank"],
                }
            )
            if gone.deleted_count:
                status = RecipientStatus(holder["status"])
                await self._counts.add(newcomer.campaign_id, {status: -1})
                displaced.append(str(holder["_id"]))

    async def remove_list(self, campaign_id: UUID, list_id: UUID) -> int:
        """Deletes the recipients one list added, status by status, so the counters lose
        exactly what each delete removed (a recipient moving meanwhile is taken by the delete
        of the status it moved to, or by a later removal)."""
        removed = 0
        for status in RecipientStatus:
            result = await self._c.delete_many(
                {"campaign_id": str(campaign_id), "list_id": str(list_id), "status": status.value}
            )
            if result.deleted_count:
                await self._counts.add(campaign_id, {status: -result.deleted_count})
                removed += result.deleted_count
        return removed
