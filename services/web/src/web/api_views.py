"""What the gateway's public API (``/v1``) answers, as the web app reads it.

Lenient on purpose: statuses, reasons and kinds are plain strings, not the gateway's enums, so a
value a newer gateway adds shows on a page instead of failing it; unknown fields are ignored,
and a model declares only the fields the pages read, so that what they do not show cannot fail
them. These are the web app's own models (it is a client of the HTTP API only, never of
``cohort_contracts``; import-linter holds it to that)."""

from datetime import UTC, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, Field

from cohort_http.gateway_api import ApiModel

Channel = Literal["sms", "email"]
CampaignType = Literal["basic", "booking", "questionnaire"]


def _utc(value: datetime) -> datetime:
    # Some times come back without a zone (MongoDB keeps UTC without saying so).
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


Time = Annotated[datetime, AfterValidator(_utc)]


class Organisation(ApiModel):
    ods: str
    name: str | None = None


class Me(ApiModel):
    organisation: Organisation
    is_network: bool
    practices: list[Organisation]
    #: sender: may compose and send; viewer: may only read.
    roles: list[str] = []


class Counts(ApiModel):
    recipients: int = 0
    queued: int = 0
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    cancelled: int = 0
    outcome_unknown: int = 0
    saved_to_record: int = 0
    #: What patients did with their links (booking and questionnaire campaigns).
    links_opened: int = 0
    appointments_booked: int = 0
    appointments_cancelled: int = 0
    questionnaires_completed: int = 0


class Message(ApiModel):
    body: str
    subject: str | None = None


class Booking(ApiModel):
    appointment_type_display: str


class Questionnaire(ApiModel):
    title: str


class Campaign(ApiModel):
    id: UUID
    org_id: str
    name: str
    type: CampaignType
    status: str
    created_by: str
    created_at: Time
    message: Message | None = None
    counts: Counts = Field(default_factory=Counts)
    allow_replies: bool = False
    booking: Booking | None = None
    questionnaire: Questionnaire | None = None
    template_id: str | None = None
    paused_reason: str | None = None
    send_at: Time | None = None
    send_requested_by: str | None = None
    sent_back_by: str | None = None
    sent_back_reason: str | None = None
    held_until: Time | None = None
    spread_hours: int | None = None
    #: The campaign this one sends again to the patients it did not reach (None: a campaign
    #: made from an uploaded list).
    follows_up: UUID | None = None
    #: Names of the people the campaign names by id (creator, sender, approver), as their
    #: sign-in last gave them.
    people: dict[str, str] = Field(default_factory=dict)


class CampaignPage(ApiModel):
    items: list[Campaign]
    total: int
    page: int
    page_size: int


class ReasonCount(ApiModel):
    reason: str
    count: int


class PatientList(ApiModel):
    id: UUID
    channel: Channel
    filename: str
    status: str
    total_rows: int
    processed_rows: int
    succeeded: int
    failed: int
    failed_by_reason: list[ReasonCount]
    created_at: Time


class PatientLists(ApiModel):
    items: list[PatientList]


class Template(ApiModel):
    id: str
    name: str
    type: CampaignType
    body: str
    subject: str | None = None
    version: int
    builtin: bool


class NonGsmCharacter(ApiModel):
    character: str
    suggestion: str | None


class Preview(ApiModel):
    body: str
    subject: str | None = None
    fragments: int


class LanguageNeed(ApiModel):
    language: str
    count: int
    interpreter_required: int


class RepeatWarning(ApiModel):
    count: int
    days: int
    message: str


class Review(ApiModel):
    status: str
    recipient_count: int
    recipients_by_channel: dict[str, int]
    excluded_by_reason: list[ReasonCount]
    previews: list[Preview]
    total_fragments: int
    lists_resolving: int
    largest_message_fragments: int = 0
    largest_message_characters: int = 0
    non_gsm_characters: list[NonGsmCharacter] = Field(default_factory=list)
    too_long: list[str] = Field(default_factory=list)
    credit_balance: int | None = None
    credits_needed: int = 0
    estimated_cost_pence: int | None = None
    language_needs: list[LanguageNeed] = Field(default_factory=list)
    repeat_warning: RepeatWarning | None = None


class TestSendResult(ApiModel):
    """The gateway's answer to a test send: the page reads none of it (that it was accepted
    is enough; the message itself goes to the user's own phone or inbox)."""

    __test__ = False  # not a pytest test class


class Recipient(ApiModel):
    id: str
    list_id: UUID
    row_number: int
    nhs_number: str
    given_name: str
    family_name: str
    channel: Channel
    contact: str
    status: str
    reason_code: str | None = None
    reason: str | None = None
    updated_at: Time
    reply: str | None = None
    replied_at: Time | None = None
    link_opened_at: Time | None = None
    #: Save to record, in words (None: nothing to save yet).
    record_reason: str | None = None
    #: The patient's language need from PDS, e.g. "Polish".
    language: str | None = None
    interpreter_required: bool = False


class ActivityAppointment(ApiModel):
    start: Time
    type: str
    location: str | None = None
    practitioner: str | None = None
    booked_at: Time


class AnsweredQuestion(ApiModel):
    text: str
    answers: list[str]


class ActivityResponse(ApiModel):
    authored: Time
    items: list[AnsweredQuestion]


class ActivityEvent(ApiModel):
    at: Time
    action: str


class Activity(ApiModel):
    """What one patient did with their link (``/recipients/{id}/activity``)."""

    locked_at: Time | None = None
    appointment: ActivityAppointment | None = None
    questionnaire_response: ActivityResponse | None = None
    events: list[ActivityEvent] = Field(default_factory=list)


class RecipientPage(ApiModel):
    items: list[Recipient]
    total: int
    page: int
    page_size: int


class SendAgain(ApiModel):
    """Who sending a campaign again would take (``/campaigns/{id}/send-again``): its patients
    the message did not reach for a reason another try may get past."""

    patients: int
    #: Why it cannot be sent again now, in staff's words (None: it can, if ``patients`` > 0).
    cannot_because: str | None = None


class AuditEntry(ApiModel):
    at: Time
    actor: str
    action: str
    details: dict[str, str | int] = Field(default_factory=dict)


class AuditLog(ApiModel):
    entries: list[AuditEntry]
    #: Names of the entries' actors (and of whoever asked for a send), where known.
    people: dict[str, str] = Field(default_factory=dict)


class Suppression(ApiModel):
    id: str
    contact: str
    source: str
    updated_at: Time
