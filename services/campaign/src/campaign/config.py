"""Campaign service settings (env prefix ``CAMPAIGN_``; ``MONGODB_URL`` as the design names it)."""

from decimal import Decimal
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .domain.quiet_hours import QuietHours
from .domain.safety_policy import SafetyPolicy

#: Signs patients' links in development only; startup warns loudly while it is in use.
DEV_LINK_SECRET = "cohort-dev-link-secret-change-me"


class CampaignSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CAMPAIGN_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8101
    #: Unset means the in-process stand-in (development and tests only).
    mongodb_url: str | None = Field(
        default=None, validation_alias=AliasChoices("MONGODB_URL", "CAMPAIGN_MONGODB_URL")
    )
    mongodb_database: str = "cohort"
    release_batch_size: int = Field(default=200, ge=1, le=500)
    #: How often the sweeper looks for sending campaigns with work left and unpublished batches.
    sweep_interval_s: float = Field(default=5.0, gt=0)
    unpublished_grace_s: float = Field(default=30.0, ge=0)
    prefetch: int = Field(default=32, ge=1)
    credit_timeout_s: float = Field(default=3.0, gt=0)
    #: A sent SMS with no receipt after this long fails with NO_RECEIPT (Notify: 72 hours).
    receipt_timeout_s: float = Field(default=72 * 3600, gt=0)
    #: A claim dispatch never reported on (it died mid-send) becomes outcome_unknown after this.
    claim_timeout_s: float = Field(default=15 * 60, gt=0)
    # -- clinical safety (an organisation's ``safety`` entry in the organisations file wins) --
    #: When SMS is never released, Europe/London time ("20:00-08:00"), or "off".
    quiet_hours: str = "20:00-08:00"
    #: Sundays are quiet all day.
    quiet_sundays: bool = True
    #: England and Wales bank holidays (the ``holidays`` library's calendar) are quiet all day.
    quiet_bank_holidays: bool = True
    #: Sends to more recipients than this need a second user's approval; unset: never.
    approval_above: int | None = Field(default=None, ge=0)
    #: The review warns about patients sent the same message within this many days.
    repeat_window_days: int = Field(default=30, ge=1, le=365)
    #: Pence per Firetext credit (e.g. 2.9), for the review's cost estimate; an organisation's
    #: ``sms_credit_pence`` in the organisations file wins. Unset: no estimate is shown.
    sms_credit_pence: Decimal | None = Field(default=None, gt=0, le=100)
    #: A mobile number whose latest text from the organisation within this many days failed
    #: in a way another would too (not in use, not valid, a landline) is not texted again:
    #: its row fails as NUMBER_FAILED_BEFORE. 0 turns this off.
    failed_number_days: int = Field(default=90, ge=0, le=730)
    #: HMAC key for patients' booking/questionnaire links (CAMPAIGN_LINK_SECRET).
    link_secret: SecretStr = SecretStr(DEV_LINK_SECRET)
    #: The gateway's public link endpoint; a link is this followed by its token.
    link_base_url: str = "https://book.example.nhs.uk/l/"
    #: The gateway's public one-click unsubscribe endpoint (RFC 8058) for emails'
    #: ``List-Unsubscribe``; a URL is this followed by its token.
    unsubscribe_base_url: str = "https://book.example.nhs.uk/v1/unsubscribe/"
    #: The patient pages' unsubscribe page for the link in an email's body (it asks before it
    #: unsubscribes, since mail scanners open links); a URL is this followed by the token.
    unsubscribe_page_url: str = "https://book.example.nhs.uk/u/"
    #: Recipients PDS confirmed longer ago than this (their list's upload) are checked with PDS
    #: again as they are released: deceased, restricted or no-telephone patients are excluded
    #: and changed contacts used. 0 re-checks every recipient of every send.
    recheck_after_h: float = Field(default=24.0, ge=0)
    #: The organisations JSON the gateway also reads; names fill ((practice_name)).
    organisations_file: Path | None = None

    # -- the patient's side of links ---------------------------------------------------------
    #: Wrong dates of birth a link takes before it locks.
    dob_max_attempts: int = Field(default=5, ge=1, le=20)
    #: After a wrong date of birth, seconds before the next answer is taken (doubling each time).
    dob_retry_delay_s: float = Field(default=2.0, ge=0, le=600)
    #: How long confirming the date of birth lets the patient in for.
    patient_session_minutes: int = Field(default=30, ge=1, le=240)
    #: Weeks ahead that free appointment slots are offered.
    booking_weeks: int = Field(default=3, ge=1, le=12)
    #: GP Connect Appointment Management service root, ``{ods}`` for the practice's ODS code
    #: (the Spine Secure Proxy and the SDS endpoint in production; the simulator in
    #: development). Unset: booking campaigns cannot book.
    gpconnect_base_url: str | None = None
    #: Our ASID (``Ssp-From``), as Spine registered it.
    gpconnect_from_asid: str = "200000001234"
    #: The practices' ASID (``Ssp-To``); in production each practice's, from SDS.
    gpconnect_to_asid: str = "918999198993"
    #: Timeout of one GP Connect request.
    gpconnect_timeout_s: float = Field(default=8.0, gt=0, le=60)

    @field_validator("quiet_hours")
    @classmethod
    def _window(cls, value: str) -> str:
        if value != "off":
            QuietHours.parse(value)  # a malformed window stops startup, it is not ignored
        return value

    def safety_default(self) -> SafetyPolicy:
        quiet = None
        if self.quiet_hours != "off":
            quiet = QuietHours.parse(
                self.quiet_hours,
                sundays=self.quiet_sundays,
                bank_holidays=self.quiet_bank_holidays,
            )
        return SafetyPolicy(
            quiet_hours=quiet,
            approval_above=self.approval_above,
            repeat_window_days=self.repeat_window_days,
        )
