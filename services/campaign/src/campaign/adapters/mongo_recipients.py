"""Recipients (one per patient per campaign) in MongoDB: the ``Recipients`` port, made of one
part per concern.

Every state change is a single-document conditional update (``status`` in the states it may
come from), so concurrent instances and redelivered messages can never move a recipient twice.
One recipient per patient is the unique index on (campaign, NHS number) (``placement``). Every
write that moves recipients adds what it moved to the campaign's counters (``counts``): moves
one by one (``moves``), in bulk along the send path (``sending``). What the GP record made of
their messages is ``record``. Reads are here."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from cohort_contracts.vocabulary import Channel, RecipientStatus

from ..domain.list_order import ListPosition
from ..domain.model import Recipient
from ..ports.recipients import RecipientListing
from .mongo_database import Document, MongoHandle
from .mongo_paging import read_after
from .mongo_recipient_counts import RecipientCounts
from .mongo_recipient_docs import (
    LIST_ORDER,
    first_in_list_order,
    recipient_from,
    recipients_collection,
)
from .mongo_recipient_moves import RecipientMoves
from .mongo_recipient_placement import RecipientPlacement
from .mongo_recipient_record import RecipientRecordState
from .mongo_recipient_sending import RecipientSending


class MongoRecipientRepository:
    def __init__(self, mongo: MongoHandle) -> None:
        self._c = recipients_collection(mongo)
        self._counts = RecipientCounts(mongo)
        # The parts' methods are the repository's own, bound here rather than declared again.
        self.counts = self._counts.read
        self.counts_of = self._counts.read_many
        self.recount = self._counts.recount
        self._placement = RecipientPlacement(mongo, self._counts)
        self.add_unique = self._placement.add_unique
        self.remove_list = self._placement.remove_list
        self._moves = RecipientMoves(mongo, self._counts)
        self.apply = self._moves.apply
        sending = RecipientSending(mongo, self._counts)
        self.mark_queued = sending.mark_queued
        self.in_batch = sending.in_batch
        self.claim = sending.claim
        self.cancel_claimed = sending.cancel_claimed
        self.cancel_unsent = sending.cancel_unsent
        self.expire = sending.expire
        record = RecipientRecordState(mongo)
        self.pending_record_entries = record.pending_record_entries
        self.count_pending_record_entries = record.count_pending_record_entries
        self.record_entries_published = record.record_entries_published
        self.set_record_state = record.set_record_state
        self.saved_to_record = record.saved_to_record

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
        self, listing: RecipientListing, skip: int, limit: int
    ) -> tuple[list[Recipient], int]:
        query = _listing(listing)
        docs = await self._c.find(query).sort(LIST_ORDER).skip(skip).limit(limit).to_list(None)
        return [recipient_from(d) for d in docs], await self._total(listing)

    async def page_after(
        self, listing: RecipientListing, after: ListPosition, limit: int
    ) -> tuple[list[Recipient], int]:
        query = _listing(listing)
        position = (after.list_id, after.row_number)
        docs = await read_after(self._c, query, LIST_ORDER, position, limit)
        return [recipient_from(d) for d in docs], await self._total(listing)

    async def _total(self, listing: RecipientListing) -> int:
        # From the campaign's counters: a read is one page, never a count.
        counts = await self._counts.read(listing.campaign_id)
        status = listing.status
        return counts.get(status, 0) if status is not None else sum(counts.values())

    async def with_status(
        self,
        campaign_id: UUID,
        status: RecipientStatus,
        limit: int,
        channel: Channel | None = None,
    ) -> list[Recipient]:
        query = {"campaign_id": str(campaign_id), "status": status.value}
        return await first_in_list_order(self._c, query, limit, channel)

    async def of_campaign(
        self, org_id: str, campaign_id: UUID, ids: Sequence[str]
    ) -> dict[str, Recipient]:
        if not ids:
            return {}
        query = {"_id": {"$in": list(ids)}, "org_id": org_id, "campaign_id": str(campaign_id)}
        return {d["_id"]: recipient_from(d) async for d in self._c.find(query)}

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


def _listing(listing: RecipientListing) -> Document:
    query: Document = {"org_id": listing.org_id, "campaign_id": str(listing.campaign_id)}
    if listing.status is not None:
        query["status"] = listing.status.value
    return query
