"""Where a recipient stands in its campaign's list order (by list, then row number): a page of
recipients ends at one, and the next page starts after it. As a cursor it reads
``<list id>:<row number>`` (``RECIPIENT_CURSOR`` in the contracts)."""

from dataclasses import dataclass

from .model import Recipient


@dataclass(frozen=True)
class ListPosition:
    list_id: str
    row_number: int

    @classmethod
    def of(cls, recipient: Recipient) -> "ListPosition":
        return cls(str(recipient.list_id), recipient.row_number)

    @classmethod
    def parse(cls, cursor: str) -> "ListPosition":
        """A cursor the contract's pattern has let through."""
        list_id, row_number = cursor.rsplit(":", 1)
        return cls(list_id, int(row_number))

    def cursor(self) -> str:
        return f"{self.list_id}:{self.row_number}"
