"""One step of a campaign's audit trail: who did what to it, and when."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class AuditEntry:
    """``cause`` is the id of the request or event that did it: an entry is written once per
    cause and action (its ``key``), so a redelivered message never repeats one."""

    org_id: str
    campaign_id: UUID
    at: datetime
    actor: str
    action: str
    details: dict[str, str | int]
    cause: UUID

    @property
    def key(self) -> str:
        return f"{self.cause}:{self.action}"
