"""Hand-written fakes of the record service's ports, asserting on state."""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from cohort_contracts.envelope import Message
from cohort_contracts.routing import Route
from cohort_testing.publishers import RecordingPublisher
from record.domain.errors import MeshUnavailable, SendError
from record.domain.responses import InboxMessage


@dataclass
class SentMessage:
    message_id: str
    to: str
    workflow_id: str
    body: bytes
    local_id: str
    subject: str
    filename: str


@dataclass
class FakeMailbox:
    """A MESH mailbox in memory. ``fail_next`` raises on the next sends; ``lose_answer`` makes
    the next send reach MESH and then fail, as a sender that died mid-POST would see it."""

    mailbox_id: str = "X26COHORT1"
    sent: list[SentMessage] = field(default_factory=list)
    waiting: dict[str, InboxMessage] = field(default_factory=dict)
    acknowledged: list[str] = field(default_factory=list)
    tracking: dict[str, str] = field(default_factory=dict)
    fail_next: list[SendError] = field(default_factory=list)
    lose_answer: int = 0
    inbox_down: bool = False
    handshakes: int = 0
    _ids: "itertools.count[int]" = field(default_factory=itertools.count)

    async def send(
        self, *, to: str, workflow_id: str, body: bytes, local_id: str, subject: str, filename: str
    ) -> str:
        if self.fail_next:
            raise self.fail_next.pop(0)
        message_id = f"MESH{next(self._ids):06d}"
        self.sent.append(
            SentMessage(message_id, to, workflow_id, body, local_id, subject, filename)
        )
        self.tracking[message_id] = "accepted"
        if self.lose_answer:
            self.lose_answer -= 1
            raise ConnectionResetError("answer lost")
        return message_id

    async def find_sent(self, local_id: str) -> str | None:
        found = [m.message_id for m in self.sent if m.local_id == local_id]
        return found[-1] if found else None

    async def inbox(self, limit: int) -> Sequence[str]:
        if self.inbox_down:
            raise MeshUnavailable("down")
        return list(self.waiting)[:limit]

    async def read(self, message_id: str) -> InboxMessage:
        return self.waiting[message_id]

    async def acknowledge(self, message_id: str) -> None:
        self.waiting.pop(message_id, None)
        self.acknowledged.append(message_id)

    async def tracking_status(self, mesh_message_id: str) -> str | None:
        return self.tracking.get(mesh_message_id)

    async def handshake(self) -> None:
        self.handshakes += 1

    def deliver(self, message: InboxMessage) -> None:
        self.waiting[message.message_id] = message


class FakePublisher(RecordingPublisher[Route, Message]):
    """The record service's broker publisher: what it published, and a broker away for the
    next ``fail_next`` publishes."""
