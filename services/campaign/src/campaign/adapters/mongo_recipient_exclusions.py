"""Reading recipients for exclusion before sending (the move itself is the repository's
``apply``, conditional on ready or queued, with exact counters)."""

from collections.abc import Sequence
from uuid import UUID

from cohort_contracts.vocabulary import RecipientStatus
from cohort_mongo import count_by

from ..domain.model import Recipient
from ..domain.opt_out import contact_key
from .mongo_database import MongoHandle
from .mongo_recipient_docs import recipient_from, recipients_collection

_UNSENT = [RecipientStatus.READY.value, RecipientStatus.QUEUED.value]
#: Ids in one ``$in``: a receipt batch's permanent failures stay far below, but bound it anyway.
_CHUNK = 1000


class MongoRecipientExclusions:
    def __init__(self, mongo: MongoHandle) -> None:
        self._c = recipients_collection(mongo)

    async def unsent_with_contact(self, org_id: str, contacts: Sequence[str]) -> list[Recipient]:
        # Addresses as PDS gave them may differ in case from the opt-out's: both spellings.
        spellings = sorted({*contacts, *(contact_key(c) for c in contacts)})
        query = {"org_id": org_id, "contact": {"$in": spellings}, "status": {"$in": _UNSENT}}
        return [recipient_from(d) async for d in self._c.find(query)]

    async def texted_numbers(self, org_id: str, recipient_ids: Sequence[str]) -> set[str]:
        numbers: set[str] = set()
        for start in range(0, len(recipient_ids), _CHUNK):
            query = {
                "_id": {"$in": list(recipient_ids[start : start + _CHUNK])},
                "org_id": org_id,
                "channel": "sms",
            }
            numbers.update(
                [
                    d["contact"]
                    async for d in self._c.find(query, {"contact": 1})
                    if d.get("contact")
                ]
            )
        return numbers

    async def excluded_by_reason(self, campaign_id: UUID, codes: Sequence[str]) -> dict[str, int]:
        match = {
            "campaign_id": str(campaign_id),
            "status": RecipientStatus.FAILED.value,
            "reason_code": {"$in": list(codes)},
        }
        return dict(await count_by(self._c, match, "$reason_code"))
