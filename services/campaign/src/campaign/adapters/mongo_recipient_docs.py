"""Recipients as stored in MongoDB."""

from datetime import date
from uuid import UUID

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection

from cohort_contracts.vocabulary import Channel, RecipientStatus

from ..domain.model import Recipient
from ..domain.review import names_key
from .mongo_database import Document, MongoHandle


def recipients_collection(mongo: MongoHandle) -> AsyncCollection[Document]:
    """The one ``recipients`` collection that each recipients adapter reads and writes a part
    of (placement, sending, counts, exclusions, ...)."""
    return mongo.db["recipients"]


#: A campaign's recipients in list order: by list, then row (as releases, re-checks, the review
#: and the recipients page read them).
LIST_ORDER = [("list_id", ASCENDING), ("row_number", ASCENDING)]


async def first_in_list_order(
    recipients: AsyncCollection[Document], query: Document, limit: int, channel: Channel | None
) -> list[Recipient]:
    """The first ``limit`` recipients matching ``query`` in list order, of ``channel`` alone
    when one is given."""
    if channel is not None:
        # Only while quiet hours hold a mixed campaign's SMS: its email still goes.
        query = {**query, "channel": channel}
    docs = await recipients.find(query).sort(LIST_ORDER).limit(limit).to_list(None)
    return [recipient_from(d) for d in docs]


def recipient_doc(r: Recipient) -> Document:
    return {
        "_id": r.id,
        "org_id": r.org_id,
        "campaign_id": str(r.campaign_id),
        "list_id": str(r.list_id),
        "row_number": r.row_number,
        "nhs_number": r.nhs_number,
        "given_name": r.given_name,
        "family_name": r.family_name,
        "channel": r.channel,
        "contact": r.contact,
        "status": r.status.value,
        "reason_code": r.reason_code,
        "reason": r.reason,
        "failure_permanent": r.failure_permanent,
        "body": r.body,
        "subject": r.subject,
        "updated_at": r.updated_at,
        "source_rank": r.source_rank,
        "birth_date": None if r.birth_date is None else r.birth_date.isoformat(),
        # What the patient's names add to any message's size: a review groups by it.
        "names": names_key(r.given_name, r.family_name),
        "language": r.language,
        "interpreter_required": r.interpreter_required,
        "checked_at": r.checked_at,
        "recheck_requested_at": r.recheck_requested_at,
    }


def recipient_from(d: Document) -> Recipient:
    return Recipient(
        id=d["_id"],
        org_id=d["org_id"],
        campaign_id=UUID(d["campaign_id"]),
        list_id=UUID(d["list_id"]),
        row_number=d["row_number"],
        nhs_number=d["nhs_number"],
        given_name=d["given_name"],
        family_name=d["family_name"],
        channel=d["channel"],
        contact=d["contact"],
        status=RecipientStatus(d["status"]),
        updated_at=d["updated_at"],
        reason_code=d.get("reason_code"),
        reason=d.get("reason"),
        failure_permanent=d.get("failure_permanent"),
        body=d.get("body"),
        subject=d.get("subject"),
        source_rank=d.get("source_rank", ""),
        provider_reference=d.get("provider_reference"),
        reply=d.get("reply"),
        replied_at=d.get("replied_at"),
        link_opened_at=d.get("link_opened_at"),
        birth_date=None if d.get("birth_date") is None else date.fromisoformat(d["birth_date"]),
        record_state=d.get("record_state"),
        record_reason_code=d.get("record_reason_code"),
        language=d.get("language"),
        interpreter_required=bool(d.get("interpreter_required", False)),
        checked_at=d.get("checked_at"),
        recheck_requested_at=d.get("recheck_requested_at"),
    )
