"""What campaign takes from the organisations file the gateway also reads: names for
((practice_name)), phone numbers, practices' safety settings and SMS credit prices.
``{"organisations": [{"ods", "name", "network", ...}], "networks": [{"ods", "name", ...}]}``."""

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


class OrganisationsFile(BaseModel):
    """The organisations file, read once at start-up; each setting campaign takes from it is a
    method. No file configured is an empty one (no names, phones, or own settings)."""

    model_config = ConfigDict(extra="ignore")

    organisations: list[_Named] = Field(default_factory=list)
    networks: list[_Named] = Field(default_factory=list)

    @classmethod
    def read(cls, path: Path | None) -> "OrganisationsFile":
        """A configured file that cannot be read, or holds an invalid entry (a window such as
        ``"25:00-08:00"``), stops startup."""
        return cls() if path is None else cls.model_validate_json(path.read_bytes())

    def names(self) -> dict[str, str]:
        """ODS code → name, practices and networks alike. No name means the message says "your
        GP practice"."""
        return {o.ods: o.name for o in self._everyone()}

    def phones(self) -> dict[str, str]:
        """ODS code → the practice's phone number, for those the file gives one."""
        return {o.ods: o.phone for o in self._everyone() if o.phone}

    def safety_policies(self, default: SafetyPolicy) -> SafetyPolicies:
        """Each practice's safety settings over the service default (``CAMPAIGN_QUIET_HOURS``
        and friends)."""
        return SafetyPolicies(
            default,
            {o.ods: o.safety.over(default) for o in self.organisations if o.safety is not None},
        )

    def credit_prices(self, default: Decimal | None) -> CreditPrices:
        """Each organisation's price per SMS credit over the deployment's default."""
        return CreditPrices(
            default, {o.ods: o.sms_credit_pence for o in self._everyone() if o.sms_credit_pence}
        )

    def _everyone(self) -> tuple[_Named, ...]:
        return (*self.networks, *self.organisations)
