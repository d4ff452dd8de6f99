"""What campaign answers the gateway's queries with: the read side of the public API."""

from uuid import UUID

from pydantic import Field

from .campaign_settings import BookingSettings, QuestionnaireSettings
from .envelope import Model, UtcDateTime
from .record import RecordReason, RecordStatus
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
    #: Delivered messages the practice's system has taken into its record (record ``filed``).
    saved_to_record: int = 0
    #: Patients' links (booking and questionnaire campaigns): patients who opened theirs,
    #: appointments booked now, cancellations by patients, questionnaires answered.
    links_opened: int = 0
    appointments_booked: int = 0
    appointments_cancelled: int = 0
    questionnaires_completed: int = 0


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
    created_at: UtcDateTime
    message: MessageContent | None = None
    counts: CampaignCounts = Field(default_factory=CampaignCounts)
    allow_replies: bool = False
    booking: BookingSettings | None = None
    questionnaire: QuestionnaireSettings | None = None
    link_expiry_days: int = 7
    template_id: str | None = None
    template_version: int | None = None
    #: Why the campaign is paused (a provider problem), in words staff can act on.
    paused_reason: str | None = None
    #: When a scheduled campaign starts sending (None: it was sent at once).
    send_at: UtcDateTime | None = None
    #: Who asked to send it, and the second user who approved it (when approval is required).
    send_requested_by: str | None = None
    approved_by: str | None = None
    #: A draft whose send was sent back instead of approved: by whom, and why (until it is
    #: sent again).
    sent_back_by: str | None = None
    sent_back_reason: str | None = None
    #: While sending: quiet hours hold its text messages until then (they resume by themselves).
    held_until: UtcDateTime | None = None
    #: Booking campaigns: invitations released evenly over this many hours.
    spread_hours: int | None = None
    #: The campaign whose unreached patients this one sends again to (``POST
    #: /v1/campaigns/{id}/send-again``); None for a campaign made from an uploaded list.
    follows_up: UUID | None = None
    #: The names of the people the view names by id (``created_by``, ``send_requested_by``,
    #: ``approved_by``, ``sent_back_by``), as their sign-in last gave them; an id without a
    #: known name is left out.
    people: dict[str, str] = Field(default_factory=dict)


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
    created_at: UtcDateTime


class PatientListsView(Model):
    """Every list of one campaign, in the order they were uploaded."""

    campaign_id: UUID
    items: list[PatientListView]


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


class NonGsmCharacter(Model):
    """A character that forces the whole SMS into UCS-2 (70 characters per fragment)."""

    position: int
    character: str
    suggestion: str | None


class RenderedPreview(Model):
    recipient_id: str
    body: str
    subject: str | None = None
    fragments: int


class LanguageNeedCount(Model):
    """Recipients about to be messaged whose PDS record names this language (NHSCommunication),
    and how many of them need an interpreter."""

    language: str
    count: int
    interpreter_required: int


class RepeatWarning(Model):
    """Patients of this campaign the organisation sent the same message (same template, or
    the same text) within ``days``; staff can leave them out (``ExcludeRecentlyMessaged``)."""

    count: int
    days: int
    message: str


class ReviewView(Model):
    """The truth before sending: counts and costs after personalisation and link insertion.
    ``recipient_count`` is what ``SendCampaign.confirm_recipient_count`` must equal; it
    excludes ``too_long`` recipients, whose message would exceed 918 characters."""

    campaign_id: UUID
    status: CampaignStatus
    recipient_count: int
    recipients_by_channel: dict[str, int]
    excluded_by_reason: list[ReasonCount]
    previews: list[RenderedPreview]
    total_fragments: int
    lists_resolving: int
    largest_message_fragments: int = 0
    largest_message_characters: int = 0
    non_gsm_characters: list[NonGsmCharacter] = Field(default_factory=list)
    too_long: list[str] = Field(default_factory=list, description="recipient ids")
    #: The provider's balance, or None when it could not be read (the review still works).
    credit_balance: int | None = None
    credits_needed: int = 0
    estimated_cost_pence: int | None = Field(
        default=None,
        description="The credits needed at the organisation's price per credit, in whole pence "
        "rounded up; None when no price is configured (or nothing goes by SMS).",
    )
    #: Language needs among the recipients about to be messaged, most common first.
    language_needs: list[LanguageNeedCount] = Field(default_factory=list)
    cannot_send_because: list[str] = Field(
        default_factory=list,
        description="Why sending would be refused now (no message yet, a list still being "
        "checked, nobody to send to), in plain English; empty when it can be sent.",
    )
    #: The repeat guard's warning (None: nobody here had this message lately).
    repeat_warning: RepeatWarning | None = None


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
    #: Why it failed: the send's reason, or PDS's (``DECEASED``…) from the re-check before
    #: sending when the list was resolved long before.
    reason_code: SendReason | UploadReason | None = None
    reason: str | None = None
    updated_at: UtcDateTime
    reply: str | None = None
    replied_at: UtcDateTime | None = None
    link_opened_at: UtcDateTime | None = None
    #: Save to record: ``saving``, ``saved`` or ``not_saved`` (None: nothing to save yet).
    record_status: RecordStatus | None = None
    #: In words: "Saving to GP record…", "Saved to GP record" or "Not saved: <reason>".
    record_reason: str | None = None
    record_reason_code: RecordReason | None = None
    #: The patient's language need from PDS (NHSCommunication), e.g. ``French``.
    language: str | None = None
    interpreter_required: bool = False


class RecipientPage(Model):
    items: list[RecipientView]
    total: int
    page: int
    page_size: int
    #: The cursor of the page after this one (``after``); null when this page is the last.
    next_after: str | None = None


class ClaimResult(Model):
    """The recipients dispatch may now hand to the provider; everything else must not be sent."""

    claimed: list[str]


class TemplateView(Model):
    id: str
    name: str
    type: CampaignType
    body: str
    subject: str | None = None
    version: int
    builtin: bool
    archived: bool = False
    org_id: str | None = None


class TemplateList(Model):
    items: list[TemplateView]


class AuditEntry(Model):
    at: UtcDateTime
    actor: str
    action: str
    details: dict[str, str | int] = Field(default_factory=dict)


class AuditLog(Model):
    campaign_id: UUID
    entries: list[AuditEntry]
    #: The names of the entries' actors and of anyone their details name by id
    #: (``requested_by``), as their sign-in last gave them; ids without a known name are left out.
    people: dict[str, str] = Field(default_factory=dict)


class LinkView(Model):
    """What a patient's link opens: no patient data beyond an opaque reference."""

    campaign_id: UUID
    org_id: str
    type: CampaignType
    patient_reference: str
    expires_at: UtcDateTime
    booking: BookingSettings | None = None
    questionnaire: QuestionnaireSettings | None = None


class TestSendResult(Model):
    __test__ = False  # not a pytest test class, whatever its name says

    to: str
    body: str
    subject: str | None = None
    fragments: int


class SendAgainCount(Model):
    reason_code: SendReason
    count: int


class SendAgainView(Model):
    """Who sending the campaign again would take now: its patients whose message failed for a
    reason another try may get past (the phone was off or out of signal, a network or provider
    problem, or the phone could not take text messages at the time: an ``SMS_NOT_SUPPORTED``
    the network said was temporary, not a landline), and whom no earlier send-again of this
    campaign has taken."""

    campaign_id: UUID
    patients: int
    by_reason: list[SendAgainCount]
    #: Why it cannot be sent again now, in staff's words (None: it can, if ``patients`` > 0).
    cannot_because: str | None = None
