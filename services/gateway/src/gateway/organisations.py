"""Practices and networks (ODS codes): which organisations a token's ``org`` may read and act for.

A practice user reads and acts for its own practice only. A network (PCN) user reads every member
practice and acts for one member practice at a time, which it names. Membership is configuration
the operator loads (``GATEWAY_ORGANISATIONS_FILE``); without it every organisation is a standalone
practice. An organisation not in the file is a standalone practice too."""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cohort_contracts.envelope import OdsCode

Name = Annotated[str, Field(min_length=1, max_length=200)]


class _Entry(BaseModel):
    # Unknown fields are ignored: campaign reads the same file and may need more of it.
    model_config = ConfigDict(extra="ignore", frozen=True)


class Practice(_Entry):
    ods: OdsCode
    name: Name
    network: OdsCode | None = None


class Network(_Entry):
    ods: OdsCode
    name: Name


class OrganisationsFile(_Entry):
    """``{"organisations": [{"ods", "name", "network"}], "networks": [{"ods", "name"}]}``"""

    organisations: list[Practice] = Field(default_factory=list)
    networks: list[Network] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> "OrganisationsFile":
        codes = [p.ods for p in self.organisations] + [n.ods for n in self.networks]
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            raise ValueError(f"ODS codes listed more than once: {', '.join(repeated)}")
        networks = {n.ods for n in self.networks}
        unknown = sorted({p.network for p in self.organisations if p.network} - networks)
        if unknown:
            raise ValueError(f"practices name networks not in 'networks': {', '.join(unknown)}")
        return self


class OrganisationsInvalid(Exception):
    """The organisations file cannot be used; the gateway must not start with it."""


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

    @classmethod
    def from_file(cls, parsed: OrganisationsFile) -> "Organisations":
        members: dict[str, list[str]] = {n.ods: [] for n in parsed.networks}
        for practice in parsed.organisations:
            if practice.network is not None:
                members[practice.network].append(practice.ods)
        names = {p.ods: p.name for p in parsed.organisations} | {
            n.ods: n.name for n in parsed.networks
        }
        return cls({network: tuple(sorted(codes)) for network, codes in members.items()}, names)

    def name(self, org: str) -> str | None:
        return self.names.get(org)

    @classmethod
    def load(cls, path: Path) -> "Organisations":
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls.from_file(OrganisationsFile.model_validate(raw))
        except OSError as exc:
            raise OrganisationsInvalid(f"cannot read {path}: {exc.strerror}") from None
        except json.JSONDecodeError as exc:
            raise OrganisationsInvalid(
                f"{path} is not JSON: {exc.msg} (line {exc.lineno})"
            ) from None
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in exc.errors()
            )
            raise OrganisationsInvalid(f"{path} is not valid: {problems}") from None

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
