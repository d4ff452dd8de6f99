"""Organisation names for ((practice_name)), from the same JSON file the gateway reads:
``{"organisations": [{"ods", "name", "network"}], "networks": [{"ods", "name", ...}]}``."""

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..domain.quiet_hours import QuietHours
from ..domain.safety_policy import SafetyPolicies, SafetyPolicy
from ..domain.sms_cost import CreditPrices


class _Safety(BaseModel):
    """An organisation's own safety settings; whatever it leaves out is the service default."""

    model_config = ConfigDict(extra="forbid")

    #: ``"20:00-08:00"`` (Europe/London), or ``"off"``.
    quiet_hours: str | None = None
    quiet_sundays: bool | None = None
    quiet_bank_holidays: bool | None = None
    #: Sends to more recipients than this need a second user's approval; null: never.
    approval_above: int | None = Field(default=None, ge=0)
    repeat_window_days: int | None = Field(default=None, ge=1, le=365)

    @field_validator("quiet_hours")
    @classmethod
    def _window(cls, value: str | None) -> str | None:
        if value is not None and value != "off":
            QuietHours.parse(value)
        return value

    def over(self, default: SafetyPolicy) -> SafetyPolicy:
        quiet = default.quiet_hours
        base = quiet or QuietHours()
        if self.quiet_hours == "off":
            quiet = None
        elif self.quiet_hours is not None:
            quiet = QuietHours.parse(self.quiet_hours)
        elif quiet is None and (self.quiet_sundays or self.quiet_bank_holidays):
            quiet = base  # days named quiet bring the default window with them
        if quiet is not None:
            quiet = replace(
                quiet,
                sundays=base.sundays if self.quiet_sundays is None else self.quiet_sundays,
                bank_holidays=base.bank_holidays
                if self.quiet_bank_holidays is None
                else self.quiet_bank_holidays,
            )
        approval = default.approval_above
        if "approval_above" in self.model_fields_set:
            approval = self.approval_above
        return SafetyPolicy(
            quiet_hours=quiet,
            approval_above=approval,
            repeat_window_days=self.repeat_window_days or default.repeat_window_days,
        )


class _Named(BaseModel):
    model_config = ConfigDict(extra="ignore")

    ods: str
    name: str
    #: The number patients call (shown on their link's pages and in confirmations).
    phone: str | None = None
    #: Clinical safety settings (quiet hours, approval, repeat guard); practices only.
    safety: _Safety | None = None
    #: Pence per Firetext credit on this organisation's contract (the review's estimate).
    sms_credit_pence: Decimal | None = Field(default=None, gt=0, le=100)


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


def load_safety_policies(path: Path | None, default: SafetyPolicy) -> SafetyPolicies:
    """Each organisation's safety settings over the service default (``CAMPAIGN_QUIET_HOURS``
    and friends); an invalid entry (a window such as ``"25:00-08:00"``) stops startup."""
    if path is None:
        return SafetyPolicies(default)
    directory = _Directory.model_validate_json(path.read_bytes())
    return SafetyPolicies(
        default,
        {o.ods: o.safety.over(default) for o in directory.organisations if o.safety is not None},
    )


def load_credit_prices(path: Path | None, default: Decimal | None) -> CreditPrices:
    """Each organisation's price per SMS credit over the deployment's default."""
    if path is None:
        return CreditPrices(default)
    directory = _Directory.model_validate_json(path.read_bytes())
    named = (*directory.networks, *directory.organisations)
    return CreditPrices(default, {o.ods: o.sms_credit_pence for o in named if o.sms_credit_pence})
