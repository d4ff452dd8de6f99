"""Every message the simulator accepted, one entry per recipient: what each handset received."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from firetext_sim.outcomes import Outcome


@dataclass
class AcceptedMessage:
    id: str
    to: str
    mobile: str
    sender: str
    message: str
    reference: str
    receipt: str
    accepted_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    status: str = "queued"
    code: str | None = None

    def record(self, outcome: Outcome) -> None:
        self.status = outcome.name
        self.code = outcome.code

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "to": self.to,
            "mobile": self.mobile,
            "from": self.sender,
            "message": self.message,
            "reference": self.reference,
            "receipt": self.receipt,
            "accepted_at": self.accepted_at,
            "status": self.status,
            "code": self.code,
        }


class MessageLog:
    def __init__(self) -> None:
        self._entries: list[AcceptedMessage] = []

    def add(self, entry: AcceptedMessage) -> None:
        self._entries.append(entry)

    def find(self, reference: str | None = None, to: str | None = None) -> list[AcceptedMessage]:
        return [
            entry
            for entry in self._entries
            if (reference is None or entry.reference == reference)
            and (to is None or to in (entry.to, entry.mobile))
        ]

    def clear(self) -> None:
        self._entries.clear()
