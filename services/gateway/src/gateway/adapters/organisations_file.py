"""The operator's organisations file (``GATEWAY_ORGANISATIONS_FILE``), read and checked into
``domain.organisations.Organisations``:
``{"organisations": [{"ods", "name", "network"}], "networks": [{"ods", "name"}]}``."""

import json
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cohort_contracts.envelope import OdsCode

from ..domain.organisations import Organisations

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


def organisations_from(parsed: OrganisationsFile) -> Organisations:
    members: dict[str, list[str]] = {n.ods: [] for n in parsed.networks}
    for practice in parsed.organisations:
        if practice.network is not None:
            members[practice.network].append(practice.ods)
    names = {p.ods: p.name for p in parsed.organisations} | {n.ods: n.name for n in parsed.networks}
    return Organisations(
        {network: tuple(sorted(codes)) for network, codes in members.items()}, names
    )


def read_organisations_file(path: Path) -> Organisations:
    """Raises ``OrganisationsInvalid`` naming the problem."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return organisations_from(OrganisationsFile.model_validate(raw))
    except OSError as exc:
        raise OrganisationsInvalid(f"cannot read {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise OrganisationsInvalid(f"{path} is not JSON: {exc.msg} (line {exc.lineno})") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in exc.errors()
        )
        raise OrganisationsInvalid(f"{path} is not valid: {problems}") from None
