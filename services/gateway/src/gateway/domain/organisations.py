"""Practices and networks (ODS codes): which organisations a token's ``org`` may read and act for.

A practice user reads and acts for its own practice only. A network (PCN) user reads every member
practice and acts for one member practice at a time, which it names. Membership is configuration
the operator loads (``GATEWAY_ORGANISATIONS_FILE``, read by ``adapters.organisations_file``);
without it every organisation is a standalone practice. An organisation not in the file is a
standalone practice too."""

from collections.abc import Mapping
from dataclasses import dataclass, field


class NotAMember(Exception):
    """The caller named an organisation it may not act for."""


class PracticeNotNamed(Exception):
    """A network user must name the practice it acts for."""


@dataclass(frozen=True)
class Organisations:
    #: Network ODS code -> its member practices, sorted.
    members: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: ODS code -> the organisation's name, for every practice and network in the file.
    names: Mapping[str, str] = field(default_factory=dict)

    def name(self, org: str) -> str | None:
        return self.names.get(org)

    def is_network(self, org: str) -> bool:
        return org in self.members

    def readable_by(self, org: str) -> tuple[str, ...]:
        """Every organisation whose campaigns ``org``'s users may see."""
        return self.members[org] if self.is_network(org) else (org,)

    def acting_for(self, org: str, named: str | None) -> str:
        """The practice ``org``'s user acts for when creating something; ``named`` is the
        practice the user named, if any. Raises ``NotAMember`` or ``PracticeNotNamed``."""
        if named is None:
            if self.is_network(org):
                raise PracticeNotNamed(org)
            return org
        if named not in self.readable_by(org):
            raise NotAMember(named)
        return named
