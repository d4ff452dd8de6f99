"""A MESH mailbox in memory, with the parts of ``mesh_client.MeshClient`` the practice uses."""

from collections.abc import ItemsView
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FakeMessage:
    body: bytes
    sender: str = "X26COHORT1"
    local_id: str | None = "local-1"
    workflow_id: str | None = "GPCONNECT_SEND_DOCUMENT"
    headers: dict[str, str] = field(default_factory=lambda: {"subject": "GP Connect"})
    closed: bool = False

    def read(self) -> bytes:
        return self.body

    def close(self) -> None:
        self.closed = True

    def mex_headers(self) -> ItemsView[str, str]:
        return self.headers.items()


@dataclass
class Sent:
    recipient: str
    data: bytes
    options: dict[str, Any]


@dataclass
class FakeMesh:
    inbox: dict[str, FakeMessage] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    retrieved: list[str] = field(default_factory=list)
    #: Every send and acknowledgement, in order: ``send <local_id>``, ``ack <message id>``.
    calls: list[str] = field(default_factory=list)
    #: How many sends fail (ConnectionError) before they succeed, after ``sends_before_failing``.
    failing_sends: int = 0
    sends_before_failing: int = 0
    failing_handshakes: int = 0
    handshakes: int = 0
    closed: bool = False

    def deliver(self, message_id: str, message: FakeMessage) -> None:
        self.inbox[message_id] = message

    def handshake(self) -> None:
        self.handshakes += 1
        if self.handshakes <= self.failing_handshakes:
            raise ConnectionError("MESH is not up yet")

    def list_messages(self, max_results: int | None = None) -> list[str]:
        return list(self.inbox)[:max_results]

    def retrieve_message(self, message_id: str) -> FakeMessage:
        self.retrieved.append(message_id)
        return self.inbox[message_id]

    def send_message(self, recipient: str, data: bytes, **options: Any) -> str:
        if self.sends_before_failing:
            self.sends_before_failing -= 1
        elif self.failing_sends:
            self.failing_sends -= 1
            raise ConnectionError("MESH went away")
        self.sent.append(Sent(recipient, data, options))
        self.calls.append(f"send {options.get('local_id')}")
        return f"OUT{len(self.sent)}"

    def acknowledge_message(self, message_id: str) -> None:
        del self.inbox[message_id]
        self.acknowledged.append(message_id)
        self.calls.append(f"ack {message_id}")

    def close(self) -> None:
        self.closed = True
