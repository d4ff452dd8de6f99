"""Where recipients are kept and moved through their states: placing them once per campaign,
releasing, claiming and settling them, re-checking them against PDS, opt-outs and repeat sends."""

from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from cohort_contracts.vocabulary import Channel, RecipientStatus

from ..domain.failed_numbers import LastText
from ..domain.list_order import ListPosition
from ..domain.model import Recipient
from ..domain.opt_out import Suppression
from ..domain.send_again import TryAgainRule


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
    #: Goes with ``reason_code``: set or cleared by every move (``Recipient.failure_permanent``).
    failure_permanent: bool | None = None


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


@dataclass(frozen=True)
class RecipientListing:
    """Which of a campaign's recipients a page of them lists: every one, or those in
    ``status``."""

    org_id: str
    campaign_id: UUID
    status: RecipientStatus | None = None


class RecipientRepository(Protocol):
    async def add_unique(
        self, recipients: Sequence[Recipient], *, removed_lists: Collection[str] = ()
    ) -> Placement:
        """Insert recipients, one per patient per campaign: the first occurrence of a patient
        (lowest ``source_rank``) keeps them while nothing has been sent. An unsent holder from
        one of ``removed_lists`` (lists staff removed, whose recipients are being deleted)
        gives way whatever its row: otherwise the patient would go with it."""
        ...

    async def remove_list(self, campaign_id: UUID, list_id: UUID) -> int:
        """Deletes every recipient ``list_id`` added to the campaign, counters included; how
        many."""
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
        self, listing: RecipientListing, skip: int, limit: int
    ) -> tuple[list[Recipient], int]:
        """A page in list order, by how many come before it, and how many the listing has."""
        ...

    async def page_after(
        self, listing: RecipientListing, after: ListPosition, limit: int
    ) -> tuple[list[Recipient], int]:
        """The page in list order after ``after``, and how many the listing has."""
        ...

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
    async def of_campaign(
        self, org_id: str, campaign_id: UUID, ids: Sequence[str]
    ) -> dict[str, Recipient]:
        """Those of ``ids`` that are the campaign's recipients, by id, in one read (a page of a
        campaign's appointments or questionnaire responses names its patients this way)."""
        ...

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

    async def texted_numbers(self, org_id: str, recipient_ids: Sequence[str]) -> set[str]:
        """The numbers those of ``recipient_ids`` that are texts went to (one read for all)."""
        ...

    async def excluded_by_reason(self, campaign_id: UUID, codes: Sequence[str]) -> dict[str, int]:
        """Failed recipients of the campaign counted by reason, for the given codes."""
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


class RepeatHistory(Protocol):
    """What the organisation sent before: to whom, and how it ended."""

    async def recently_messaged(
        self, org_id: str, campaign_id: UUID, keys: Sequence[str], since: datetime
    ) -> list[str]:
        """Ids of the campaign's ready recipients whose patient was released a message under
        any of ``keys`` by this organisation, in another campaign, since ``since`` (and did
        not fail or get cancelled). Index-backed and in bounded chunks."""
        ...

    async def last_texts(
        self, org_id: str, contacts: Sequence[str], since: datetime
    ) -> dict[str, LastText]:
        """Of ``contacts``, those the organisation's texts settled for (delivered or failed)
        since ``since``, each with the latest such outcome."""
        ...


class SendAgainSource(Protocol):
    """A finished campaign's failed recipients that another try may reach
    (``domain/send_again``); each may be taken by one send-again only."""

    async def counts(self, campaign_id: UUID, rule: TryAgainRule) -> dict[str, int]:
        """Failed recipients whom no send-again has taken and whose failure ``rule`` allows
        another try at, by reason."""
        ...

    async def take(self, campaign_id: UUID, rule: TryAgainRule, taker: UUID) -> None:
        """Marks those recipients taken by the campaign ``taker``, never one another has
        taken."""
        ...

    async def release(self, campaign_id: UUID, taker: UUID) -> None:
        """Gives back what ``taker`` took, for another send-again to take."""
        ...

    async def held(self, campaign_id: UUID, taker: UUID) -> list[Recipient]:
        """Every recipient of ``campaign_id`` that ``taker`` took, in list order."""
        ...
