"""A patient list's rows and their outcomes."""

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class ListRow:
    list_id: UUID
    campaign_id: UUID
    org_id: str
    row_number: int
    cells: list[str]
    reason_code: str | None
    recipient_id: str | None

    @property
    def succeeded(self) -> bool:
        return self.reason_code is None


@dataclass(frozen=True)
class ListProgress:
    processed: int
    succeeded: int
    failed_by_reason: dict[str, int]

    @property
    def failed(self) -> int:
        return sum(self.failed_by_reason.values())
