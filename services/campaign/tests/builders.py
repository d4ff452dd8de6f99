"""Test data builders: every id unique, overridable."""

import uuid
from datetime import UTC, date, datetime
from typing import Any

from campaign.domain.links import LinkSigner
from campaign.domain.messages import MessageRenderer
from campaign.domain.model import Recipient
from cohort_contracts.ingest import ResolvedPatient, RowOutcome, RowsResolved
from cohort_contracts.vocabulary import RecipientStatus, UploadReason
from cohort_testing.nhs_numbers import numbers_starting

ORG = "A81001"


def nhs_number(seed: int) -> str:
    """A valid Modulus 11 NHS number in the 999 test range, different for each seed."""
    # Some ninth digit always makes a valid number.
    return next(numbers_starting(f"999{seed:05d}"))


def failed_recipient(row: int, **fields: Any) -> Recipient:
    """A failed recipient at ``row`` of a campaign of its own, as the store holds one (an
    organisation's history); ``fields`` change it."""
    return Recipient(
        **{
            "id": uuid.uuid4().hex,
            "org_id": ORG,
            "campaign_id": uuid.uuid4(),
            "list_id": uuid.uuid4(),
            "row_number": row,
            "nhs_number": "9990005001",
            "given_name": "Jane",
            "family_name": "Smith",
            "channel": "sms",
            "contact": "447700900001",
            "status": RecipientStatus.FAILED,
            "updated_at": datetime.now(UTC),
            **fields,
        }
    )


def outcome(
    row: int,
    *,
    nhs: str | None = None,
    reason: UploadReason | None = None,
    contact: str | None = None,
) -> RowOutcome:
    cells = [nhs or "", "01/01/1980", f"extra-{row}"]
    if reason is not None:
        return RowOutcome(row_number=row, cells=cells, reason_code=reason)
    return RowOutcome(
        row_number=row,
        cells=cells,
        patient=ResolvedPatient(
            nhs_number=nhs or nhs_number(row),
            given_name="JANE",
            family_name="SMITH",
            contact=contact or f"4477009{row:05d}",
            birth_date=date(1980, 1, 1),
        ),
    )


def rows_resolved(
    campaign_id: uuid.UUID, list_id: uuid.UUID, outcomes: list[RowOutcome], **overrides: Any
) -> RowsResolved:
    fields: dict[str, Any] = {
        "correlation_id": uuid.uuid4(),
        "org_id": ORG,
        "campaign_id": campaign_id,
        "list_id": list_id,
        "channel": "sms",
        "batch_number": 0,
        "outcomes": outcomes,
    }
    fields.update(overrides)
    return RowsResolved(**fields)


LINK_BASE = "https://book.example.nhs.uk/l/"
PRACTICE_NAME = "Riverside Surgery"
LINK_SECRET = b"test-link-secret"


def make_renderer() -> MessageRenderer:
    """Links signed with a test key; ``ORG`` is named ``PRACTICE_NAME``, others fall back."""
    return MessageRenderer(LinkSigner(LINK_SECRET, LINK_BASE), {ORG: PRACTICE_NAME})
