"""The campaign aggregate and its state machine (pure: no I/O)."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID

from cohort_contracts.campaign_settings import BookingSettings, QuestionnaireSettings
from cohort_contracts.vocabulary import (
    CampaignStatus,
    CampaignType,
    Channel,
    RecipientStatus,
    SendReason,
    UploadReason,
)

from .errors import Conflict, Forbidden, InvalidMessage
from .rendering import check_placeholders

EDITABLE = frozenset({CampaignStatus.DRAFT})
#: How far ahead a send may be scheduled (GOV.UK Notify's limit too).
MAX_SCHEDULE_AHEAD = timedelta(days=7)
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
    _check_own_settings(type, "booking", booking, "the appointment type patients will book")
    _check_own_settings(
        type, "questionnaire", questionnaire, "the questionnaire patients will complete"
    )
    if allow_replies and type != "basic":
        raise InvalidMessage(
            "Only a basic campaign can allow replies; patients answer a "
            f"{type} campaign through their link.",
            field="allow_replies",
        )


def _check_own_settings(
    type: CampaignType,
    kind: CampaignType,
    settings: BookingSettings | QuestionnaireSettings | None,
    choose: str,
) -> None:
    """A ``kind`` campaign needs its settings (``choose`` says what they are), and no other
    type has them; the field is named after the kind."""
    if (type == kind) != (settings is not None):
        raise InvalidMessage(
            f"Choose {choose}."
            if type == kind
            else f"Only a {kind} campaign has {kind} settings; this one is {type}.",
            field=kind,
        )


def _check_confirmed(confirmed: int, ready: int) -> None:
    if confirmed != ready:
        raise Conflict(
            f"You confirmed {confirmed} recipients but the campaign has {ready}. "
            "Review it again before sending.",
            recipient_count=ready,
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
    #: When the send was asked to start (None: at once); held in ``scheduled`` until then.
    send_at: datetime | None = None
    #: Who asked to send, and who approved it (a second user, when the organisation asks).
    send_requested_by: str | None = None
    approved_by: str | None = None
    #: Who sent a send awaiting approval back to draft, and why: shown until it is sent again.
    sent_back_by: str | None = None
    sent_back_reason: str | None = None
    #: SMS held by quiet hours until then (set by the releaser, cleared when it resumes).
    held_until: datetime | None = None
    #: Booking campaigns: release spread over this many hours, at most ``spread_per_hour``
    #: in any hour-long window (counted from the window's first release), so the practice's
    #: phone lines are not flooded by everyone invited at once.
    spread_hours: int | None = None
    spread_per_hour: int | None = None
    spread_window_start: datetime | None = None
    spread_window_released: int = 0
    #: The campaign whose unreached patients this one sends again to (``domain/send_again``).
    follows_up: UUID | None = None
    #: Lists taken out of the draft (``RemovePatientList``): rows of theirs still being
    #: checked when it happened are dropped when they come back.
    removed_lists: list[str] = field(default_factory=list)

    def already_applied(self, request_id: UUID) -> bool:
        return str(request_id) in self.applied_requests

    def remember(self, request_id: UUID) -> None:
        self.applied_requests = [*self.applied_requests, str(request_id)][-REMEMBERED_REQUESTS:]

    def accept_list(self) -> None:
        if self.status not in EDITABLE:
            raise Conflict(f"A patient list cannot be added to a campaign that is {self.status}.")

    def remove_list(self, list_id: UUID) -> bool:
        """Whether this changed anything: a list removed already stays removed."""
        if str(list_id) in self.removed_lists:
            return False
        if self.status not in EDITABLE:
            raise Conflict("A patient list can only be removed before the campaign is sent.")
        self.removed_lists = [*self.removed_lists, str(list_id)]
        return True

    def removed(self, list_id: UUID) -> bool:
        return str(list_id) in self.removed_lists

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
            reasons.append(f"The campaign is {in_words(self.status)}; only a draft can be sent.")
        if self.message is None:
            reasons.append("Write the message before sending.")
        if lists_resolving:
            reasons.append("A patient list is still being checked against PDS; wait for it.")
        if ready == 0:
            reasons.append("There is nobody to send to.")
        return reasons

    def start_sending(
        self,
        *,
        confirmed: int,
        ready: int,
        lists_resolving: int,
        actor: str,
        now: datetime,
        send_at: datetime | None = None,
        needs_approval: bool = False,
        spread_hours: int | None = None,
    ) -> None:
        if reasons := self.cannot_send_because(ready=ready, lists_resolving=lists_resolving):
            raise Conflict(reasons[0])
        _check_confirmed(confirmed, ready)
        if send_at is not None:
            if send_at <= now:
                raise InvalidMessage("Choose a time in the future to send.", field="send_at")
            if send_at - now > MAX_SCHEDULE_AHEAD:
                raise InvalidMessage("A send can be scheduled up to 7 days ahead.", field="send_at")
        if spread_hours is not None and self.type != "booking":
            raise InvalidMessage(
                "Only a booking campaign's invitations can be spread over hours.",
                field="spread_hours",
            )
        self.send_at = send_at
        self.spread_hours = spread_hours
        self.spread_per_hour = None if spread_hours is None else -(-ready // spread_hours)
        self.send_requested_by = actor
        self.sent_back_by = self.sent_back_reason = None
        if needs_approval:
            self.status = CampaignStatus.AWAITING_APPROVAL
        else:
            self._go(now)

    def approve(self, *, approver: str, confirmed: int, ready: int, now: datetime) -> None:
        """A second user, having seen the review, lets the send go (or wait for its time)."""
        if self.status is not CampaignStatus.AWAITING_APPROVAL:
            raise Conflict(
                f"The campaign is {in_words(self.status)}; "
                "only one awaiting approval can be approved."
            )
        if approver == self.send_requested_by:
            raise Forbidden("Someone other than the person who sent it must approve this campaign.")
        _check_confirmed(confirmed, ready)
        self.approved_by = approver
        self._go(now)

    def send_back(self, *, actor: str, reason: str) -> None:
        """Back to draft instead of approved, to be changed and sent again (approved again).
        The sender may take back their own request too: nothing has been sent."""
        if self.status is not CampaignStatus.AWAITING_APPROVAL:
            raise Conflict(
                f"The campaign is {in_words(self.status)}; "
                "only one awaiting approval can be sent back."
            )
        self.status = CampaignStatus.DRAFT
        self.send_at = self.spread_hours = self.spread_per_hour = None
        self.sent_back_by, self.sent_back_reason = actor, reason

    def start_if_due(self, now: datetime) -> bool:
        """A scheduled campaign starts sending once its time has come."""
        if self.status is CampaignStatus.SCHEDULED and self.send_at and self.send_at <= now:
            self._go(now)
            return True
        return False

    def _go(self, now: datetime) -> None:
        if self.send_at is not None and self.send_at > now:
            self.status = CampaignStatus.SCHEDULED
            return
        self.status = CampaignStatus.SENDING
        # Links expire counting from the day sending started.
        self.sent_at = self.sent_at or now

    def open_spread_window(self, now: datetime) -> bool:
        """A new hour's share once the last window has ended; whether anything changed."""
        if self.spread_per_hour is None:
            return False
        start = self.spread_window_start
        if start is not None and now < start + timedelta(hours=1):
            return False
        self.spread_window_start = now
        self.spread_window_released = 0
        return True

    def spread_left(self) -> int | None:
        """How many more may be released in this window; None: no spreading."""
        if self.spread_per_hour is None:
            return None
        return max(0, self.spread_per_hour - self.spread_window_released)

    def hold(self, until: datetime | None) -> bool:
        """Record (or clear) that quiet hours hold the SMS; whether that changed anything."""
        if self.status is not CampaignStatus.SENDING or self.held_until == until:
            return False
        self.held_until = until
        return True

    def pause(self, reason: str) -> bool:
        """A provider problem no retry fixes: stop releasing until staff resume."""
        if self.status is not CampaignStatus.SENDING:
            return False
        self.status = CampaignStatus.PAUSED
        self.paused_reason = reason
        return True

    def resume(self) -> None:
        if self.status is not CampaignStatus.PAUSED:
            raise Conflict(
                f"The campaign is {in_words(self.status)}; only a paused campaign can resume."
            )
        self.status = CampaignStatus.SENDING
        self.paused_reason = None

    def cancel(self) -> None:
        if self.status in (CampaignStatus.COMPLETED, CampaignStatus.CANCELLED):
            raise Conflict(f"The campaign is already {self.status}.")
        self.status = CampaignStatus.CANCELLED
        self.paused_reason = None
        self.held_until = None

    def finish_if_done(self, unsent: int) -> bool:
        """Completed once nothing is left to hand to the provider (receipts may still come)."""
        if self.status is CampaignStatus.SENDING and unsent == 0:
            self.status = CampaignStatus.COMPLETED
            self.held_until = None
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
    #: For a failure, whether the provider said another try would fail the same way; None when
    #: it did not say (older receipts, send-time failures). It tells a landline from a phone
    #: that could not take a text at the time, which share a reason code (``send_again``).
    failure_permanent: bool | None = None
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

    def may_have_arrived(self) -> bool:
        """Whether the message may have reached the patient. A link opened in any other state
        came from the review or a test send (staff), which must not count as the patient
        opening it."""
        return self.status in MAY_HAVE_ARRIVED and self.reason_code != SendReason.MESSAGE_TOO_LONG


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

#: Reasons a ready or queued recipient is failed before anything was sent to it (opted out, or
#: its number failed for good elsewhere): the review counts them as not included, and a
#: patient uploaded again with details that pass takes such a recipient's place.
TAKEN_OUT_BEFORE_SENDING = frozenset(
    {UploadReason.OPTED_OUT.value, UploadReason.NUMBER_FAILED_BEFORE.value}
)

#: A message in these states may have reached the patient (unless it was never sent as too
#: long: ``Recipient.may_have_arrived``).
MAY_HAVE_ARRIVED = frozenset(
    {
        RecipientStatus.SENDING,
        RecipientStatus.SENT,
        RecipientStatus.DELIVERED,
        RecipientStatus.OUTCOME_UNKNOWN,
        RecipientStatus.FAILED,
    }
)

#: The order to look for an unsent recipient in, one state at a time (probes are not one
#: snapshot: recipients move between them). Forward moves (ready → queued → sending) are
#: followed by probing in that order, so a recipient moving on is met again further along;
#: a move back to ready (a refused claim, a blocked send) after the first probe is met by
#: the last. Ready → queued is the one forward move the first probe could miss, and it is
#: made only under the campaign's release lease, which whoever probes holds.
UNSENT_PROBES = (
    RecipientStatus.READY,
    RecipientStatus.QUEUED,
    RecipientStatus.SENDING,
    RecipientStatus.READY,
)


def in_words(status: CampaignStatus) -> str:
    """A status as staff read it in a sentence ("awaiting approval", not "awaiting_approval")."""
    return status.value.replace("_", " ")
