"""Who is asking and for which organisations: from the verified token (and, for a network user,
the practice it acts for), attached to every request sent to campaign."""

from dataclasses import dataclass, field
from typing import TypedDict
from uuid import UUID, uuid4


class Envelope(TypedDict):
    correlation_id: UUID
    org_id: str
    actor: str
    actor_name: str | None
    org_scope: list[str]


@dataclass(frozen=True)
class Caller:
    user_id: str
    #: The organisation acted for: a practice, or a network reading across its practices.
    org_id: str
    #: Every organisation the caller may read; empty means just ``org_id``.
    org_scope: tuple[str, ...] = ()
    #: Cohort roles (``identity.SENDER``, ``identity.VIEWER``): what the caller may do.
    roles: frozenset[str] = frozenset()
    #: Ties together everything this one HTTP request causes.
    correlation_id: UUID = field(default_factory=uuid4)
    #: The person's name from the token (OIDC's ``name`` claim), shown to staff where this
    #: caller is named; None when the token has none.
    user_name: str | None = None

    def envelope(self) -> Envelope:
        """The fields every request to campaign carries."""
        return Envelope(
            correlation_id=self.correlation_id,
            org_id=self.org_id,
            actor=self.user_id,
            actor_name=self.user_name,
            org_scope=list(self.org_scope),
        )
