"""Recipients moved in bulk along the send path: queued by a release, claimed by dispatch,
cancelled with their campaign, expired when stuck. Each write is conditional on the states it
moves from, and what it moved is read back (by a batch or claim id) and added to the counters."""

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pymongo import UpdateOne

from cohort_contracts.vocabulary import RecipientStatus

from ..domain.model import TRANSITIONS, Recipient
from .mongo_database import Document, MongoHandle
from .mongo_recipient_counts import RecipientCounts, shifted
from .mongo_recipient_docs import recipient_from, recipients_collection

R = RecipientStatus


def _now() -> datetime:
    return datetime.now(UTC)


class RecipientSending:
    def __init__(self, mongo: MongoHandle, counts: RecipientCounts) -> None:
        self._c = recipients_collection(mongo)
        self._counts = counts

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
        claim_id: str | None = None,
    ) -> list[str]:
        claim_id = claim_id or uuid.uuid4().hex
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
        # ones this claim moved, however many callers raced for the same ids, and a claim asked
        # again (its answer was lost) gets the same answer. Only those still ``sending``: one
        # withdrawn by a cancel since must not be handed out again.
        query = {
            "_id": {"$in": list(ids)},
            "claim_id": claim_id,
            "status": RecipientStatus.SENDING.value,
        }
        return [d["_id"] async for d in self._c.find(query, {"_id": 1})]

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
            await self._move_all(
                campaign_id, {**query, "campaign_id": str(campaign_id)}, status, changes
            )
        return sorted(touched)

    async def cancel_claimed(self, org_id: str, campaign_id: UUID, ids: Sequence[str]) -> list[str]:
        query = {"_id": {"$in": list(ids)}, "org_id": org_id, "campaign_id": str(campaign_id)}
        await self._move_all(campaign_id, query, R.SENDING, _CANCELLED())
        cancelled = {**query, "status": RecipientStatus.CANCELLED.value}
        return [d["_id"] async for d in self._c.find(cancelled, {"_id": 1})]

    async def cancel_unsent(self, campaign_id: UUID) -> int:
        query = {"campaign_id": str(campaign_id)}
        cancelled = 0
        for frm in sorted(TRANSITIONS[R.CANCELLED]):
            cancelled += await self._move_all(campaign_id, query, frm, _CANCELLED())
        return cancelled

    async def _move_all(
        self, campaign_id: UUID, query: Document, frm: RecipientStatus, changes: Document
    ) -> int:
        """Moves every recipient of ``query`` still in ``frm`` to ``changes``' status (one
        write, guarded by that state) and adds what moved to the campaign's counters; how many
        moved."""
        to = RecipientStatus(changes["status"])
        result = await self._c.update_many({**query, "status": frm.value}, {"$set": changes})
        await self._counts.add(campaign_id, shifted(frm, to, result.modified_count))
        return result.modified_count


def _CANCELLED() -> dict[str, Any]:
    return {
        "status": RecipientStatus.CANCELLED.value,
        "reason_code": "CANCELLED",
        "reason": "The campaign was cancelled before this message was sent.",
        "updated_at": _now(),
    }
