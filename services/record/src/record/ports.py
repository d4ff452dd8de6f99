"""What the record service needs from the outside world. Adapters implement these; tests fake
them."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from cohort_contracts.envelope import Message
from cohort_contracts.record import RecordReason, RecordState
from cohort_contracts.routing import Route

from .domain.model import RecordEntry
from .domain.responses import InboxMessage


class RecordEntries(Protocol):
    """Record entries, one per delivered message. Every change is one conditional write on the
    states it may come from (``domain.model.TRANSITIONS``); a method that finds the entry in
    any other state changes nothing and returns None/False."""

    async def add(self, entry: RecordEntry) -> bool:
        """Insert; False if an entry with this id exists (a repeated event)."""
        ...

    async def get(self, entry_id: UUID) -> RecordEntry | None: ...

    async def find_by_mesh_id(self, mesh_message_id: str) -> RecordEntry | None: ...

    async def claim_due(
        self, holder: str, now: datetime, claim_s: float, limit: int
    ) -> list[RecordEntry]:
        """Move up to ``limit`` entries that are ``pending`` and due, or ``sending`` under an
        expired claim (their sender died), to ``sending`` claimed by ``holder`` until
        ``now + claim_s``. Returns the claimed entries as they were before the claim (their
        ``state`` says whether an earlier attempt may have reached MESH)."""
        ...

    async def mark_sent(
        self, entry_id: UUID, holder: str, mesh_message_id: str, mesh_to: str, now: datetime
    ) -> bool:
        """``sending`` (claimed by ``holder``) → ``sent``, storing the MESH message id."""
        ...

    async def retry_later(
        self, entry_id: UUID, holder: str, attempts: int, next_attempt_at: datetime, detail: str
    ) -> bool:
        """``sending`` (claimed by ``holder``) → ``pending``, due at ``next_attempt_at``."""
        ...

    async def move(
        self,
        entry_id: UUID,
        to: RecordState,
        now: datetime,
        *,
        reason: RecordReason | None = None,
        detail: str | None = None,
    ) -> bool:
        """Any allowed transition; a final one also removes the patient data."""
        ...

    async def awaiting_ack(
        self, state: RecordState, since_before: datetime, limit: int
    ) -> list[RecordEntry]:
        """Entries in ``sent`` (by ``sent_at``) or ``acknowledged`` (by ``acknowledged_at``)
        since before the cut-off."""
        ...

    async def unpublished(self, limit: int) -> list[RecordEntry]:
        """Entries whose latest state has not been reported to campaign yet."""
        ...

    async def mark_published(self, entry_id: UUID, version: int) -> None: ...

    async def counts(self) -> dict[RecordState, int]: ...


class InboxLog(Protocol):
    """MESH inbox messages that could not be read (kept for a person, then acknowledged)."""

    async def keep_unreadable(self, mailbox: str, message_id: str, why: str) -> None: ...


class Leases(Protocol):
    async def acquire(self, name: str, holder: str, ttl_s: float) -> bool: ...

    async def release(self, name: str, holder: str) -> None: ...


class MeshMailbox(Protocol):
    """One MESH mailbox. Calls are serialised per mailbox (MESH authentication tokens carry a
    per-client nonce count)."""

    @property
    def mailbox_id(self) -> str: ...

    async def send(
        self, *, to: str, workflow_id: str, body: bytes, local_id: str, subject: str, filename: str
    ) -> str:
        """MESH's message id. Raises ``RetryableSendError`` or ``PermanentSendError``."""
        ...

    async def find_sent(self, local_id: str) -> str | None:
        """The MESH id of a message this mailbox sent with ``local_id``, or None. Raises
        ``RetryableSendError`` when MESH cannot say now, ``TrackingUnavailable`` when it no
        longer can."""
        ...

    async def inbox(self, limit: int) -> Sequence[str]:
        """Ids of messages waiting (raises ``MeshUnavailable``)."""
        ...

    async def read(self, message_id: str) -> InboxMessage: ...

    async def acknowledge(self, message_id: str) -> None: ...

    async def tracking_status(self, mesh_message_id: str) -> str | None:
        """MESH's tracking status of a sent message (``accepted``, ``acknowledged`` …)."""
        ...

    async def handshake(self) -> None: ...


class EventPublisher(Protocol):
    """Publishes a message on its route and returns once the broker has confirmed it."""

    async def publish(self, route: Route, message: Message) -> None: ...
