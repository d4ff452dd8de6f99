"""The campaign aggregate and its state machine (pure: no I/O)."""

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from cohort_contracts.campaign_settings import BookingSettings, QuestionnaireSettings
from cohort_contracts.vocabulary import CampaignStatus, CampaignType, Channel, RecipientStatus

from .errors import Conflict, InvalidMessage
from .rendering import check_placeholders

EDITABLE = frozenset({CampaignStatus.DRAFT})
#: Requests a campaign remembers; a redelivery arrives within seconds, long before 32 more.
REMEMBERED_REQUESTS = 32


def check_type_settings(
    type: CampaignType,
    *,
    allow_replies: bool,
    booking: BookingSettings | None,
    questionnaire: QuestionnaireSettings | None,
) -> None:
    """Each type takes its own settings and no other's; the error names the field."""
    if (type == "booking") != (booking is not None):
        raise InvalidMessage(
            "Choose the appointment type patients will book."
            if type == "booking"
            else f"Only a booking campaign has booking settings; this one is {type}.",
            field="booking",
        )
    if (type == "questionnaire") != (questionnaire is not None):
        raise InvalidMessage(
            "Choose the questionnaire patients will complete."
            if type == "questionnaire"
            else f"Only a questionnaire campaign has questionnaire settings; this one is {type}.",
            field="questionnaire",
        )
    if allow_replies and type != "basic":
        raise InvalidMessage(
            "Only a basic campaign can allow replies; patients answer a "
            f"{type} campaign through their link.",
            field="allow_replies",
        )


@dataclass
class Message:
    body: str
    subject: str | None = None


@dataclass
class Campaign:
    id: UUID
    org_id: str
    name: str
    type: CampaignType
    created_by: str
    created_at: datetime
    status: CampaignStatus = CampaignStatus.DRAFT
    message: Message | None = None
    paused_reason: str | None = None
    allow_replies: bool = False
    booking: BookingSettings | None = None
    questionnaire: QuestionnaireSettings | None = None
    link_expiry_days: int = 7
    #: The template (and its version) the message was copied from, if any.
    template_id: str | None = None
    template_version: int | None = None
    #: When sending first started: patients' links expire ``link_expiry_days`` after that day.
    sent_at: datetime | None = None
    #: The stored version this was read at: a save succeeds only if nobody saved since
    #: (optimistic concurrency; the repository raises ``ConcurrentUpdate`` otherwise).
    version: int = 0
    #: Ids of the latest requests applied, so a redelivered request is recognised and not
    #: applied (or refused) a second time. Saved in the same write as the change it made.
    applied_requests: list[str] = field(default_factory=list)

    def already_applied(self, request_id: UUID) -> bool:
        return str(request_id) in self.applied_requests

    def remember(self, request_id: UUID) -> None:
        self.applied_requests = [*self.applied_requests, str(request_id)][-REMEMBERED_REQUESTS:]

    def accept_list(self) -> None:
        if self.status not in EDITABLE:
            raise Conflict(f"A patient list cannot be added to a campaign that is {self.status}.")

    def set_message(
        self, body: str, subject: str | None, template: tuple[str, int] | None = None
    ) -> None:
        if self.status not in EDITABLE:
            raise Conflict(f"The message cannot be changed once the campaign is {self.status}.")
        check_placeholders(self.type, body, subject)
        self.message = Message(body=body, subject=subject)
        self.template_id, self.template_version = template or (None, None)

    def cannot_send_because(self, *, ready: int, lists_resolving: int) -> list[str]:
        """Every reason sending would be refused now, in the words staff read: the review
        shows them all, sending refuses with the first."""
        reasons = []
        if self.status is not CampaignStatus.DRAFT:
            reasons.append(f"The campaign is {self.status}; only a draft can be sent.")
        if self.message is None:
            reasons.append("Write the message before sending.")
        if lists_resolving:
            reasons.append("A patient list is still being checked against PDS; wait for it.")
        if ready == 0:
            reasons.append("There is nobody to send to.")
        return reasons

    def start_sending(self, *, confirmed: int, ready: int, lists_resolving: int) -> None:
        if reasons := self.cannot_send_because(ready=ready, lists_resolving=lists_resolving):
            raise Conflict(reasons[0])
        if confirmed != ready:
            raise Conflict(
                f"You confirmed {confirmed} recipients but the campaign has {ready}. "
                "Review it again before sending.",
                recipient_count=ready,
            )
        self.status = CampaignStatus.SENDING

    def pause(self, reason: str) -> bool:
        """A provider problem no retry fixes: stop releasing until staff resume."""
        if self.status is not CampaignStatus.SENDING:
            return False
        self.status = CampaignStatus.PAUSED
        self.paused_reason = reason
        return True

    def resume(self) -> None:
        if self.status is not CampaignStatus.PAUSED:
            raise Conflict(f"The campaign is {self.status}; only a paused campaign can resume.")
        self.status = CampaignStatus.SENDING
        self.paused_reason = None

    def cancel(self) -> None:
        if self.status in (CampaignStatus.COMPLETED, CampaignStatus.CANCELLED):
            raise Conflict(f"The campaign is already {self.status}.")
        self.status = CampaignStatus.CANCELLED
        self.paused_reason = None

    def finish_if_done(self, unsent: int) -> bool:
        """Completed once nothing is left to hand to the provider (receipts may still come)."""
        if self.status is CampaignStatus.SENDING and unsent == 0:
            self.status = CampaignStatus.COMPLETED
            return True
        return False


@dataclass
class PatientList:
    id: UUID
    campaign_id: UUID
    org_id: str
    channel: Channel
    filename: str
    columns: list[str]
    total_rows: int
    created_at: datetime

    @property
    def ordinal(self) -> str:
        """Orders a campaign's lists by registration, to the microsecond (BSON dates keep only
        milliseconds, so this is stored as text), then by id."""
        return f"{self.created_at:%Y%m%d%H%M%S%f}:{self.id}"


@dataclass
class Recipient:
    id: str
    org_id: str
    campaign_id: UUID
    list_id: UUID
    row_number: int
    nhs_number: str
    given_name: str
    family_name: str
    channel: Channel
    contact: str
    status: RecipientStatus
    updated_at: datetime
    reason_code: str | None = None
    reason: str | None = None
    body: str | None = None
    subject: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    #: Orders rows across a campaign's lists (list registration time, then row number), so the
    #: first occurrence of a patient wins whatever order the batches are resolved in.
    source_rank: str = ""
    provider_reference: str | None = None
    reply: str | None = None
    replied_at: datetime | None = None
    #: First time the patient opened their booking/questionnaire link.
    link_opened_at: datetime | None = None
    #: PDS's full date of birth, for save to record (GP Connect addresses by it).
    birth_date: date | None = None
    #: Save to record: the record service's latest state (``RecordState``) and reason code.
    record_state: str | None = None
    record_reason_code: str | None = None
    #: The patient's language need from PDS (NHSCommunication), shown to staff.
    language: str | None = None
    interpreter_required: bool = False
    #: When PDS last confirmed this recipient (resolution, or the re-check before sending), and
    #: when a re-check was last asked for (None: none awaited).
    checked_at: datetime | None = None
    recheck_requested_at: datetime | None = None


#: Which states a recipient may move from, per new state. A transition from anywhere else is a
#: repeat or an out-of-order report and changes nothing (every consumer is idempotent).
TRANSITIONS: dict[RecipientStatus, frozenset[RecipientStatus]] = {
    RecipientStatus.QUEUED: frozenset({RecipientStatus.READY}),
    RecipientStatus.SENDING: frozenset({RecipientStatus.QUEUED}),
    RecipientStatus.SENT: frozenset({RecipientStatus.SENDING}),
    RecipientStatus.OUTCOME_UNKNOWN: frozenset({RecipientStatus.SENDING}),
    RecipientStatus.DELIVERED: frozenset(
        {RecipientStatus.SENDING, RecipientStatus.SENT, RecipientStatus.OUTCOME_UNKNOWN}
    ),
    RecipientStatus.FAILED: frozenset(
        {RecipientStatus.SENDING, RecipientStatus.SENT, RecipientStatus.OUTCOME_UNKNOWN}
    ),
    RecipientStatus.CANCELLED: frozenset({RecipientStatus.READY, RecipientStatus.QUEUED}),
}

#: Back to ``ready`` (to be released again when the campaign resumes): claimed but certainly
#: not sent because sending was blocked, or queued but refused a claim while paused.
RETURNED_FROM = frozenset({RecipientStatus.SENDING})
UNCLAIMED_FROM = frozenset({RecipientStatus.QUEUED})

UNSENT = frozenset({RecipientStatus.READY, RecipientStatus.QUEUED, RecipientStatus.SENDING})
