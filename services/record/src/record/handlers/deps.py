"""Everything a handler may touch, built once by ``bootstrap``."""

import asyncio
import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..domain.addressing import PracticeRoute
from ..domain.document import DocumentCodes, Sender
from ..domain.model import AckTimeouts, RetryPolicy
from ..ports import EventPublisher, InboxLog, Leases, MeshMailbox, RecordEntries

WORKFLOW = "GPCONNECT_SEND_DOCUMENT"
ACK_WORKFLOW = "GPCONNECT_SEND_DOCUMENT_ACK"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class PracticeConfig:
    """An enabled practice: its name for the document and how MESH reaches it."""

    name: str
    route: PracticeRoute


@dataclass
class Deps:
    entries: RecordEntries
    #: The sender mailbox (documents go out and acknowledgements come back through it).
    mailbox: MeshMailbox
    publisher: EventPublisher
    leases: Leases
    inbox_log: InboxLog
    #: Enabled practices by ODS code; any other practice's entries are not saved.
    practices: Mapping[str, PracticeConfig]
    sender: Sender
    codes: DocumentCodes = field(default_factory=DocumentCodes)
    workflow_id: str = WORKFLOW
    ack_workflow_id: str = ACK_WORKFLOW
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeouts: AckTimeouts = field(default_factory=AckTimeouts)
    #: Ask MESH before every first send, not only after an uncertain attempt.
    verify_first_send: bool = True
    #: A claimed send older than this is taken to have died with its sender.
    claim_s: float = 120.0
    clock: Callable[[], datetime] = utc_now
    rng: random.Random = field(default_factory=random.Random)
    #: Names this process in claims and leases.
    instance_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    #: Woken when an entry becomes due, so the sender does not wait for its next look.
    entries_waiting: asyncio.Event = field(default_factory=asyncio.Event)
    #: Woken when an entry changed state, for the status publisher.
    statuses_waiting: asyncio.Event = field(default_factory=asyncio.Event)
