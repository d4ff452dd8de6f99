"""What the handlers need from the outside world. Adapters implement these."""

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from cohort_contracts.campaign_views import AuditEntry
from cohort_contracts.envelope import Message
from cohort_contracts.routing import Route
from cohort_contracts.vocabulary import CampaignStatus, CampaignType, Channel, RecipientStatus

from .domain.appointments import (
    AppointmentRecord,
    BookedAppointment,
    FreeSlot,
    PatientEvent,
    Requester,
)
from .domain.model import Campaign, PatientList, Recipient
from .domain.opt_out import Suppression
from .domain.patient_access import LinkAccess
from .domain.rows import ListProgress, ListRow
from .domain.templates import Template


class ConcurrentUpdate(Exception):
    """The campaign was saved by someone else since it was read: read it again and decide
    again (``handlers.changes.change_campaign`` does)."""


class CampaignRepository(Protocol):
    """Campaigns, always read within the organisations the caller may read. ``save`` is a
    compare-and-set on the campaign's ``version``: it raises ``ConcurrentUpdate`` instead of
    overwriting a newer state."""

    async def add(self, campaign: Campaign) -> bool:
        """False if a campaign with this id exists already (a repeated create)."""
        ...

    async def get(self, org_id: str, campaign_id: UUID) -> Campaign | None: ...
    async def get_in(self, orgs: Sequence[str], campaign_id: UUID) -> Campaign | None:
        """The campaign if it belongs to one of ``orgs`` (a network user's member practices)."""
        ...

    async def save(self, campaign: Campaign) -> None: ...
    async def page(
        self, orgs: Sequence[str], status: CampaignStatus | None, skip: int, limit: int
    ) -> tuple[list[Campaign], int]: ...
    async def list_sending(self) -> list[Campaign]:
        """Every organisation's campaigns in ``sending``: the release sweeper's work list."""
        ...

    async def list_due(self, now: datetime) -> list[Campaign]:
        """Every organisation's scheduled campaigns whose ``send_at`` is at or before ``now``."""
        ...

    async def list_unsettled(self) -> list[Campaign]:
        """Ended campaigns whose counters have not been checked against their recipients."""
        ...

    async def mark_counts_settled(self, campaign_id: UUID) -> None: ...


class PatientListRepository(Protocol):
    async def add(self, patient_list: PatientList) -> PatientList:
        """Store a new list; for a repeated registration, the list as first stored."""
        ...

    async def get(self, org_id: str, campaign_id: UUID, list_id: UUID) -> PatientList | None: ...
    async def for_campaign(self, campaign_id: UUID) -> list[PatientList]: ...
    async def record_rows(self, rows: Sequence[ListRow]) -> None:
        """Store each row's outcome once; a row already stored is left as it is."""
        ...

    async def progress(self, patient_list: PatientList) -> ListProgress: ...
    async def unsuccessful(self, list_id: UUID, after_row: int, limit: int) -> list[ListRow]: ...
    async def failed_by_reason(self, campaign_id: UUID) -> dict[str, int]: ...
    async def mark_duplicate(self, recipient_id: str) -> None:
        """The row that held this recipient lost it to an earlier occurrence of the patient."""
        ...


@dataclass(frozen=True)
class Move:
    """One recipient's change of state, applied only from the states it may come from
    (``TRANSITIONS[to]`` unless given) and, with ``batch_id``, only within that release batch."""

    recipient_id: str
    to: RecipientStatus
    reason_code: str | None = None
    reason: str | None = None
    provider_reference: str | None = None
    from_states: frozenset[RecipientStatus] | None = None
    batch_id: UUID | None = None


@dataclass(frozen=True)
class Moved:
    recipient_id: str
    campaign_id: UUID
    frm: RecipientStatus
    to: RecipientStatus


@dataclass
class Placement:
    """Where recipients landed when added to a campaign (one recipient per patient)."""

    #: Newcomer id -> id of the recipient that keeps the patient (an earlier row, or one
    #: already released). A newcomer already inserted by its own row before is not here.
    duplicates: dict[str, str]
    #: Recipients removed because an earlier row of their patient arrived later.
    displaced: list[str]


class RecipientRepository(Protocol):
    async def add_unique(self, recipients: Sequence[Recipient]) -> Placement:
        """Insert recipients, one per patient per campaign: the first occurrence of a patient
        (lowest ``source_rank``) keeps them while nothing has been sent."""
        ...

    async def counts(self, campaign_id: UUID) -> dict[RecipientStatus, int]:
        """Non-zero counts by status, kept as recipients move (never counted per read)."""
        ...

    async def counts_of(self, campaign_ids: list[UUID]) -> dict[UUID, dict[RecipientStatus, int]]:
        """``counts`` of several campaigns in one read."""
        ...

    async def recount(self, campaign_id: UUID) -> dict[RecipientStatus, int]:
        """Counts the recipients again and stores that (for a settled campaign)."""
        ...

    async def any_in(self, campaign_id: UUID, statuses: Sequence[RecipientStatus]) -> bool:
        """Whether any recipient is in one of ``statuses``: one index probe per status, in
        the order given (see ``UNSENT_PROBES``), never a count."""
        ...

    async def apply(self, org_id: str, moves: Sequence[Move]) -> list[Moved]:
        """Apply each move that is still allowed, in one round of writes; returns exactly the
        moves made (a redelivered batch gets an empty list). A delivery also marks a record
        entry pending (an outbox)."""
        ...

    async def page(
        self, org_id: str, campaign_id: UUID, status: RecipientStatus | None, skip: int, limit: int
    ) -> tuple[list[Recipient], int]: ...
    async def with_status(
        self,
        campaign_id: UUID,
        status: RecipientStatus,
        limit: int,
        channel: Channel | None = None,
    ) -> list[Recipient]: ...
    async def mark_queued(
        self,
        recipients: Sequence[Recipient],
        batch_id: UUID,
        message_keys: Sequence[str] = (),
        released_at: datetime | None = None,
    ) -> list[str]:
        """Move rendered recipients ready → queued under ``batch_id``; returns those moved.
        ``message_keys`` (see ``repeat_guard``) and the release time are stamped on each, for
        the repeat guard of later campaigns."""
        ...

    async def in_batch(self, batch_id: UUID) -> list[Recipient]: ...
    async def claim(
        self,
        org_id: str,
        campaign_id: UUID,
        ids: Sequence[str],
        references: Mapping[str, str] | None = None,
        claim_id: str | None = None,
    ) -> list[str]:
        """Atomically move queued → sending, storing each recipient's provider reference from
        ``references`` where it has one; returns exactly the ids this claim moved that are
        still ``sending``. The same ``claim_id`` again returns the same ids (a retried claim
        whose answer was lost); without one, each call is a claim of its own."""
        ...

    async def expire(
        self,
        status: RecipientStatus,
        older_than: datetime,
        to: RecipientStatus,
        reason_code: str,
        reason: str,
    ) -> list[tuple[str, UUID]]: ...
    async def pending_record_entries(self, limit: int) -> list[Recipient]: ...
    async def count_pending_record_entries(self) -> int: ...
    async def record_entries_published(self, ids: Sequence[str]) -> None: ...
    async def set_record_state(
        self, org_id: str, recipient_id: str, state: str, reason_code: str | None, rank: int
    ) -> bool:
        """Save to record's latest word on a recipient, kept only if ``rank`` is higher than the
        one stored (a repeated or overtaken report changes nothing)."""
        ...

    async def saved_to_record(self, campaign_ids: list[UUID]) -> dict[UUID, int]: ...
    async def missing(self, ids: Sequence[str]) -> set[str]: ...
    async def get(self, org_id: str, recipient_id: str) -> Recipient | None: ...
    async def for_contact(self, org_id: str, contact: str) -> list[Recipient]:
        """Recipients messaged at this number or address (replies are matched this way)."""
        ...

    async def set_reply(
        self, org_id: str, recipient_id: str, message: str, received_at: datetime
    ) -> None: ...
    async def cancel_unsent(self, campaign_id: UUID) -> int: ...
    async def cancel_claimed(self, org_id: str, campaign_id: UUID, ids: Sequence[str]) -> list[str]:
        """Claimed (``sending``) recipients cancelled after all; returns those cancelled."""
        ...

    async def find_by_provider_reference(
        self, org_id: str, provider_reference: str, contact: str
    ) -> str | None:
        """The recipient a shared provider reference and number point to."""
        ...

    async def find_by_provider_references(
        self, org_id: str, pairs: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], str]:
        """``find_by_provider_reference`` for several (reference, number) pairs at once."""
        ...


class AuditTrail(Protocol):
    """Append-only: who created, uploaded, composed, test-sent, sent, paused, resumed or
    cancelled a campaign, and when. An entry whose ``key`` is already stored is not added
    again (a redelivered request)."""

    async def append(
        self,
        org_id: str,
        campaign_id: UUID,
        at: datetime,
        actor: str,
        action: str,
        details: dict[str, str | int],
        *,
        key: str,
    ) -> None: ...
    async def entries(self, org_id: str, campaign_id: UUID) -> list[AuditEntry]: ...


class Leases(Protocol):
    """Time-limited exclusive claims shared by every instance of the service: whoever holds a
    lease does the work it names (releasing one campaign, draining the outbox), so scaling out
    never does that work twice. ``acquire`` also renews a lease the caller already holds."""

    async def acquire(self, name: str, holder: str, ttl_s: float) -> bool: ...
    async def release(self, name: str, holder: str) -> None: ...


class Wakeup(Protocol):
    """Tells a background loop there is work (``asyncio.Event`` is one)."""

    def set(self) -> None: ...


class ReleaseLog(Protocol):
    """Send batches released to dispatch, so a crash between marking and publishing is healed."""

    async def opened(self, batch_id: UUID, campaign_id: UUID, org_id: str) -> None: ...
    async def published(self, batch_id: UUID) -> None: ...
    async def unpublished(self, older_than_s: float) -> list[tuple[UUID, UUID, str]]: ...
    async def claim_republish(self, batch_id: UUID, older_than_s: float) -> bool:
        """True for exactly one of several instances sweeping the same orphaned batch."""
        ...


class EarlyReceipts(Protocol):
    """Receipts for a shared provider reference campaign cannot match yet (see the adapter)."""

    async def keep(
        self, org_id: str, provider_reference: str, receipt_json: str, key: str
    ) -> None: ...
    async def waiting(self, org_id: str, provider_reference: str) -> list[tuple[str, str]]:
        """(key, receipt JSON) of every receipt kept for this reference."""
        ...

    async def discard(self, key: str) -> None: ...


class CreditSource(Protocol):
    async def balance(self, org_id: str) -> int | None:
        """The organisation's SMS credits at its provider, or None if it cannot be read now."""
        ...


class Publisher(Protocol):
    async def publish(self, route: Route, message: Message) -> None: ...


class TemplateRepository(Protocol):
    """Organisations' own templates (built-in ones live in code). Every version is kept."""

    async def add(self, template: Template) -> bool:
        """Store version 1; False if a template with this id already exists."""
        ...

    async def get_in(self, orgs: Sequence[str], template_id: str) -> Template | None: ...
    async def list_in(
        self, orgs: Sequence[str], type: CampaignType | None, include_archived: bool
    ) -> list[Template]: ...
    async def add_version(self, template: Template, request_id: UUID) -> Template | None:
        """Store ``template`` as the version after the current one. Returns what is stored for
        ``request_id`` (the same request again changes nothing), or None if someone else's
        version got there first."""
        ...

    async def version(self, template_id: str, version: int) -> Template | None: ...
    async def archive(self, template: Template) -> None: ...


class RecipientMessages(Protocol):
    """What composing, reviewing, test-sending and opening links need from recipients."""

    async def ready_by_names(self, campaign_id: UUID) -> list[tuple[Channel, str | None, int]]:
        """Ready recipients counted by channel and names key (``domain.review.names_key``):
        everyone under one key gets a message of the same size. Counted by the database."""
        ...

    def ready_without_names(self, campaign_id: UUID) -> AsyncIterator[Recipient]:
        """Ready recipients stored before names keys were (each is measured itself)."""
        ...

    async def ready_with_names(
        self, campaign_id: UUID, channel: Channel, names: Sequence[str], limit: int
    ) -> list[str]: ...
    async def ready_by_channel(self, campaign_id: UUID) -> dict[str, int]: ...

    def stream(self, campaign_id: UUID, status: RecipientStatus) -> AsyncIterator[Recipient]:
        """Every recipient in ``status``, from a cursor (never all in memory at once)."""
        ...

    async def first(
        self, campaign_id: UUID, status: RecipientStatus, channel: Channel
    ) -> Recipient | None: ...
    async def get(self, org_id: str, recipient_id: str) -> Recipient | None: ...
    async def link_opened(self, org_id: str, recipient_id: str, at: datetime) -> bool:
        """Record the first opening only; later ones change nothing."""
        ...

    async def fail_too_long(self, campaign_id: UUID, recipient_ids: Sequence[str]) -> int:
        """Ready recipients whose message is too long for SMS fail with MESSAGE_TOO_LONG."""
        ...

    async def ready_language_needs(self, campaign_id: UUID) -> list[tuple[str, int, int]]:
        """(language, ready recipients, of whom need an interpreter), counted by the database."""
        ...


class SuppressionStore(Protocol):
    """Each organisation's opt-out list: numbers and addresses that must not be messaged. One
    document per organisation and contact key; removing keeps it (inactive) with its history."""

    async def add(
        self, org_id: str, contact: str, source: str, actor: str, at: datetime
    ) -> tuple[Suppression, bool]:
        """Active from now; True when this call made it active (it was absent or removed)."""
        ...

    async def remove(self, org_id: str, suppression_id: str, actor: str, at: datetime) -> bool:
        """False when no active suppression of ``org_id`` has that id."""
        ...

    async def get(self, org_id: str, suppression_id: str) -> Suppression | None: ...
    async def active(self, org_id: str, limit: int) -> list[Suppression]:
        """Newest first."""
        ...

    async def suppressed(self, org_id: str, contacts: Sequence[str]) -> set[str]:
        """Which of ``contacts`` are on the organisation's active list (as given)."""
        ...

    async def mark_confirmed(self, org_id: str, suppression_id: str) -> bool:
        """True for the one call that marks it (the confirmation is sent once)."""
        ...

    async def history(self, org_id: str, suppression_id: str) -> list[dict[str, str]]: ...


@dataclass(frozen=True)
class Confirmed:
    """A recipient PDS confirmed again just before sending, with what it holds now."""

    recipient_id: str
    contact: str
    language: str | None
    interpreter_required: bool


class Rechecks(Protocol):
    """Recipients re-checked against PDS before they are released (their list is old)."""

    async def ready_to_release(
        self,
        campaign_id: UUID,
        limit: int,
        requested_before: datetime,
        channel: Channel | None = None,
    ) -> list[Recipient]:
        """Ready recipients in list order, leaving out those awaiting a re-check asked for
        since ``requested_before`` (an older request is presumed lost and is asked again)."""
        ...

    async def mark_requested(self, ids: Sequence[str], at: datetime) -> None: ...
    async def confirm(self, org_id: str, confirmed: Sequence[Confirmed], at: datetime) -> int:
        """Ready recipients take PDS's current contact and needs; returns how many changed."""
        ...


class RecipientExclusions(Protocol):
    """Recipients taken out of a campaign before they were sent (opted out, re-checked)."""

    async def unsent_with_contact(self, org_id: str, contacts: Sequence[str]) -> list[Recipient]:
        """Ready or queued recipients of the organisation at any of ``contacts``."""
        ...

    async def excluded_by_reason(self, campaign_id: UUID, codes: Sequence[str]) -> dict[str, int]:
        """Failed recipients of the campaign counted by reason, for the given codes."""
        ...


# -- the patient's side of a link (booking and questionnaire campaigns) --------------------------
class LinkAccessStore(Protocol):
    """Each link's wrong dates of birth, lock and first confirmation."""

    async def get(self, recipient_id: str) -> LinkAccess: ...
    async def wrong_answer(
        self, org_id: str, campaign_id: UUID, recipient_id: str, at: datetime, max_attempts: int
    ) -> LinkAccess:
        """Count one wrong answer (atomically) and lock at ``max_attempts``; the access after."""
        ...

    async def verified(self, recipient_id: str, at: datetime) -> None:
        """Record the first right answer only."""
        ...


class AppointmentStore(Protocol):
    """Recipients' booking attempts and appointments (one ``active`` appointment each)."""

    async def add(self, record: AppointmentRecord) -> bool:
        """False if a record with this id exists (a repeated request)."""
        ...

    async def get(self, record_id: str) -> AppointmentRecord | None: ...
    async def retry(self, record_id: str) -> bool:
        """Move a ``failed`` attempt back to ``booking`` (the same request tried again)."""
        ...

    async def booked(self, record: AppointmentRecord) -> None:
        """``booking`` → ``booked``, and it becomes the recipient's active appointment."""
        ...

    async def failed(self, record_id: str, failure: str) -> None: ...
    async def cancelled(self, record_id: str, at: datetime, because: str) -> bool:
        """``booked`` → ``cancelled``; False if it was not booked (already cancelled)."""
        ...

    async def active(self, recipient_id: str) -> AppointmentRecord | None: ...
    async def page(
        self, campaign_id: UUID, skip: int, limit: int
    ) -> tuple[list[AppointmentRecord], int]: ...
    async def booked_counts(self, campaign_ids: Sequence[UUID]) -> dict[UUID, int]: ...


class AppointmentSystem(Protocol):
    """The practice's appointment book (GP Connect Appointment Management)."""

    async def find_patient(self, who: Requester, nhs_number: str) -> str | None: ...
    async def free_slots(
        self, who: Requester, start: datetime, end: datetime
    ) -> list[FreeSlot]: ...
    async def book(
        self,
        who: Requester,
        patient_id: str,
        slot: FreeSlot,
        location_id: str,
        description: str,
        comment: str | None = None,
    ) -> BookedAppointment: ...
    async def cancel(
        self, who: Requester, appointment_id: str, reason: str
    ) -> BookedAppointment: ...
    async def patient_appointments(
        self, who: Requester, patient_id: str, days: int = 90
    ) -> list[BookedAppointment]: ...


class ResponseStore(Protocol):
    """Completed questionnaire responses, one per recipient."""

    async def add(
        self,
        org_id: str,
        campaign_id: UUID,
        recipient_id: str,
        answers: dict[str, list[str]],
        resource_json: str,
        authored: datetime,
    ) -> bool:
        """False if the recipient has answered already."""
        ...

    async def get(self, recipient_id: str) -> tuple[dict[str, list[str]], str, datetime] | None:
        """(answers, FHIR JSON, authored)."""
        ...

    async def page(
        self, campaign_id: UUID, skip: int, limit: int
    ) -> tuple[list[tuple[str, dict[str, list[str]], str, datetime]], int]:
        """(recipient id, answers, FHIR JSON, authored), oldest first."""
        ...

    async def counts(self, campaign_ids: Sequence[UUID]) -> dict[UUID, int]: ...


class PatientEvents(Protocol):
    async def add(self, event: PatientEvent) -> bool:
        """False if an event with this key is stored already (a repeat)."""
        ...

    async def of(self, recipient_id: str) -> list[PatientEvent]: ...
    async def counts(
        self, campaign_ids: Sequence[UUID], actions: Sequence[str]
    ) -> dict[tuple[UUID, str], int]: ...


class RepeatHistory(Protocol):
    async def recently_messaged(
        self, org_id: str, campaign_id: UUID, keys: Sequence[str], since: datetime
    ) -> list[str]:
        """Ids of the campaign's ready recipients whose patient was released a message under
        any of ``keys`` by this organisation, in another campaign, since ``since`` (and did
        not fail or get cancelled). Index-backed and in bounded chunks."""
        ...
