"""Who is asking: from the verified token, attached to every request sent to campaign."""

from dataclasses import dataclass, field
from uuid import UUID, uuid4


@dataclass(frozen=True)
class Caller:
    user_id: str
    org_id: str
    #: Ties together everything this one HTTP request causes.
    correlation_id: UUID = field(default_factory=uuid4)
