"""Where a questionnaire response stands among its campaign's, oldest first (by when it was
completed, then recipient id): a page of responses ends at one, and the next page starts after
it. As a cursor it reads ``<milliseconds since 1970 UTC>:<recipient id>`` (``RESPONSE_CURSOR`` in
the contracts); MongoDB keeps times to the millisecond, so that names a stored time exactly."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


@dataclass(frozen=True)
class ResponsePosition:
    authored: datetime
    recipient_id: str

    @classmethod
    def parse(cls, cursor: str) -> "ResponsePosition":
        """A cursor the contract's pattern has let through."""
        ms, recipient_id = cursor.split(":", 1)
        return cls(_EPOCH + int(ms) * _MS, recipient_id)

    def cursor(self) -> str:
        return f"{(self.authored - _EPOCH) // _MS}:{self.recipient_id}"
