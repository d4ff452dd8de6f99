"""Send-again in the recipients collection: a failed recipient is taken by setting
``sent_again_in`` to the new campaign's id, only where it is unset, so two send-agains never
take the same patient (one conditional write per document, as MongoDB applies it)."""

from typing import Any
from uuid import UUID

from cohort_contracts.vocabulary import RecipientStatus
from cohort_mongo import count_by

from ..domain.model import Recipient
from ..domain.send_again import TryAgainRule
from .mongo_database import MongoHandle
from .mongo_recipient_docs import LIST_ORDER, recipient_from, recipients_collection

FAILED = RecipientStatus.FAILED.value


class MongoSendAgainSource:
    def __init__(self, mongo: MongoHandle) -> None:
        self._c = recipients_collection(mongo)

    def _untaken(self, campaign_id: UUID, rule: TryAgainRule) -> dict[str, Any]:
        # Served by the (campaign_id, status, list_id, row_number) index: the equalities on
        # campaign and status find the campaign's failed recipients, and the ``$or`` (the
        # rule's ``allows``, ``domain/send_again``) is checked on those. ``False`` matches only
        # a stored false, not a missing flag; ``None`` for ``sent_again_in`` also matches
        # recipients stored before send-again existed.
        return {
            "campaign_id": str(campaign_id),
            "status": FAILED,
            "sent_again_in": None,
            "$or": [
                {"reason_code": {"$in": sorted(rule.reasons)}},
                {"reason_code": {"$in": sorted(rule.if_temporary)}, "failure_permanent": False},
            ],
        }

    async def counts(self, campaign_id: UUID, rule: TryAgainRule) -> dict[str, int]:
        return dict(await count_by(self._c, self._untaken(campaign_id, rule), "$reason_code"))

    async def take(self, campaign_id: UUID, rule: TryAgainRule, taker: UUID) -> None:
        await self._c.update_many(
            self._untaken(campaign_id, rule),
            {"$set": {"sent_again_in": str(taker)}},
        )

    async def release(self, campaign_id: UUID, taker: UUID) -> None:
        await self._c.update_many(
            {"campaign_id": str(campaign_id), "status": FAILED, "sent_again_in": str(taker)},
            {"$set": {"sent_again_in": None}},
        )

    async def held(self, campaign_id: UUID, taker: UUID) -> list[Recipient]:
        query = {"campaign_id": str(campaign_id), "status": FAILED, "sent_again_in": str(taker)}
        docs = await self._c.find(query).sort(LIST_ORDER).to_list(None)
        return [recipient_from(d) for d in docs]
