"""Organisation names for ((practice_name)), from the same JSON file the gateway reads:
``{"organisations": [{"ods", "name", "network"}], "networks": [{"ods", "name", ...}]}``."""

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class _Named(BaseModel):
    model_config = ConfigDict(extra="ignore")

    ods: str
    name: str
    #: The number patients call (shown on their link's pages and in confirmations).
    phone: str | None = None


class _Directory(BaseModel):
    model_config = ConfigDict(extra="ignore")

    organisations: list[_Named] = Field(default_factory=list)
    networks: list[_Named] = Field(default_factory=list)


def load_organisation_names(path: Path | None) -> dict[str, str]:
    """ODS code → name, practices and networks alike. No file configured means no names (the
    message says "your GP practice"); a configured file that cannot be read stops startup."""
    if path is None:
        return {}
    directory = _Directory.model_validate_json(path.read_bytes())
    return {o.ods: o.name for o in (*directory.networks, *directory.organisations)}


def load_organisation_phones(path: Path | None) -> dict[str, str]:
    """ODS code → the practice's phone number, for those the file gives one."""
    if path is None:
        return {}
    directory = _Directory.model_validate_json(path.read_bytes())
    return {o.ods: o.phone for o in (*directory.networks, *directory.organisations) if o.phone}
