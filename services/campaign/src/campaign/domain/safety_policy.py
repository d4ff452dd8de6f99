"""Each organisation's clinical safety settings: quiet hours, second-person approval, and how
far back the repeat guard looks. Pure values; the organisations file fills them in."""

from dataclasses import dataclass, field

from .quiet_hours import QuietHours


@dataclass(frozen=True)
class SafetyPolicy:
    #: None: SMS may go at any hour (the organisation turned quiet hours off).
    quiet_hours: QuietHours | None = field(default_factory=QuietHours)
    #: A send to more recipients than this needs a second user's approval; None: never.
    approval_above: int | None = None
    #: The review warns about patients sent the same message within this many days.
    repeat_window_days: int = 30

    def needs_approval(self, recipients: int) -> bool:
        return self.approval_above is not None and recipients > self.approval_above


@dataclass(frozen=True)
class SafetyPolicies:
    """The service-wide default, and the organisations that set their own."""

    default: SafetyPolicy = field(default_factory=SafetyPolicy)
    per_org: dict[str, SafetyPolicy] = field(default_factory=dict)

    def for_org(self, org_id: str) -> SafetyPolicy:
        return self.per_org.get(org_id, self.default)


#: No quiet hours, no approval: what tests that send at any hour of the day build by default.
#: The service never uses it; its settings turn quiet hours on unless told otherwise.
UNRESTRICTED = SafetyPolicies(SafetyPolicy(quiet_hours=None))
