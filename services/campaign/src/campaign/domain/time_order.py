"""Where a questionnaire response or an appointment stands among its campaign's, in the order
they are read (a time: when it was completed, or when the appointment starts; then its id): a
page ends at one, and the next page starts after it. As a cursor it reads
``<milliseconds since 1970 UTC>:<id>`` (``TIME_CURSOR`` in the contracts); MongoDB keeps times to
the millisecond, so that names a stored time exactly."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


@dataclass(frozen=True)
class TimePosition:
    at: datetime
    id: str

    @classmethod
    def parse(cls, cursor: str) -> "TimePosition":
        """A cursor the contract's pattern has let through."""
        ms, id_ = cursor.split(":", 1)
        return cls(_EPOCH + int(ms) * _MS, id_)

    def cursor(self) -> str:
        return f"{(self.at - _EPOCH) // _MS}:{self.id}"
