"""What campaign answers the gateway's queries with: the read side of the public API."""

from datetime import datetime
from uuid import UUID

from pydantic import Field

from .envelope import Model
from .vocabulary import (
    CampaignStatus,
    CampaignType,
    Channel,
    ListStatus,
    RecipientStatus,
    SendReason,
    UploadReason,
)


class CampaignCounts(Model):
    recipients: int = 0
    queued: int = 0
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    cancelled: int = 0
    outcome_unknown: int = 0


class MessageContent(Model):
    body: str
    subject: str | None = None


class CampaignView(Model):
    id: UUID
    org_id: str
    name: str
    type: CampaignType
    status: CampaignStatus
    created_by: str
    created_at: datetime
    message: MessageContent | None = None
    counts: CampaignCounts = Field(default_factory=CampaignCounts)


class CampaignPage(Model):
    items: list[CampaignView]
    total: int
    page: int
    page_size: int


class ReasonCount(Model):
    reason_code: UploadReason
    reason: str
    count: int


class PatientListView(Model):
    id: UUID
    campaign_id: UUID
    channel: Channel
    filename: str
    status: ListStatus
    total_rows: int
    processed_rows: int
    succeeded: int
    failed: int
    failed_by_reason: list[ReasonCount]
    created_at: datetime


class UnsuccessfulRow(Model):
    row_number: int
    cells: list[str]
    reason_code: UploadReason
    reason: str


class UnsuccessfulRowsPage(Model):
    """One page of a list's unsuccessful rows, in row order; ``next_after`` pages on."""

    columns: list[str]
    rows: list[UnsuccessfulRow]
    next_after: int | None


class RenderedPreview(Model):
    recipient_id: str
    body: str
    subject: str | None = None
    fragments: int


class ReviewView(Model):
    campaign_id: UUID
    status: CampaignStatus
    recipient_count: int
    recipients_by_channel: dict[str, int]
    excluded_by_reason: list[ReasonCount]
    previews: list[RenderedPreview]
    total_fragments: int
    lists_resolving: int


class RecipientView(Model):
    id: str
    list_id: UUID
    row_number: int
    nhs_number: str
    given_name: str
    family_name: str
    channel: Channel
    contact: str
    status: RecipientStatus
    reason_code: SendReason | None = None
    reason: str | None = None
    updated_at: datetime


class RecipientPage(Model):
    items: list[RecipientView]
    total: int
    page: int
    page_size: int


class ClaimResult(Model):
    """The recipients dispatch may now hand to the provider; everything else must not be sent."""

    claimed: list[str]
