"""Dispatch settings, read from ``DISPATCH_*`` environment variables."""

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StringConstraints, field_validator
from pydantic_settings import SettingsConfigDict

from cohort_contracts.envelope import OdsCode
from cohort_platform.settings import Port, ServiceSettings
from cohort_platform.webhooks import DEV_WEBHOOK_SECRET

_PLACEHOLDER_SECRETS = frozenset({"", "changeme", "changethis", "secret", "password"})
_EMAIL_ADDRESS = re.compile(r"[^@\s]+@[A-Za-z0-9.-]+\.[A-Za-z0-9-]+")

#: Firetext's ``from``: letters and digits only, 3 to 11 of them (reference/firetext.md §1).
SenderId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{3,11}$")]


class FiretextAccountSettings(BaseModel):
    """One organisation's own Firetext account. Errors never quote the input: it holds a key."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    api_key: SecretStr
    #: The organisation's sender name; without it, ``DISPATCH_SMS_SENDER_ID``.
    sender_id: SenderId | None = None


class Settings(ServiceSettings):
    # Errors never quote the input: DISPATCH_FIRETEXT_ACCOUNTS holds API keys.
    model_config = SettingsConfigDict(
        env_prefix="DISPATCH_", extra="ignore", hide_input_in_errors=True
    )

    port: Port = 8103
    #: Receipts and replies a consumer holds at once.
    prefetch: int = Field(default=4, ge=1, le=100)
    #: ``SendMessages`` batches an instance works on at once (each carries hundreds of
    #: patients). Every batch held when an instance dies goes back to the queue and counts
    #: towards ``COHORT_DELIVERY_LIMIT``, so scale sending out with instances, not this.
    send_prefetch: int = Field(default=1, ge=1, le=16)

    sms_provider: Literal["firetext", "stub"] = "firetext"
    email_provider: Literal["smtp", "stub"] = "smtp"

    # Sending policy.
    #: Recipients claimed (and at stake in a crash) at a time; also the most that can share one
    #: SMS request, so the default lets a full Firetext group of 50 form.
    chunk_size: int = Field(default=50, ge=1, le=500)  # ClaimMessages takes at most 500 ids
    #: Recipients of an identical text per SMS request: Firetext takes up to 50; 1 = no groups.
    sms_group_size: int = Field(default=50, ge=1, le=50)
    concurrency: int = Field(default=10, ge=1, le=500)
    #: SMS per second for the whole deployment (a 50-number request counts 50), shared by all
    #: running dispatch instances by their consumer count (cohort_platform.rate_sharing).
    sms_rate_limit: float = Field(default=20.0, gt=0)
    #: How often each instance re-counts the instances sharing that limit.
    sms_rate_refresh_s: float = Field(default=1.0, gt=0, le=60)
    #: Emails per second, per instance.
    email_rate_limit: float = Field(default=20.0, gt=0)
    send_attempts: int = Field(default=4, ge=1, le=20)
    #: Requests for one claim while campaign does not answer, before the batch is given back
    #: to the queue (each giving back counts towards ``COHORT_DELIVERY_LIMIT``).
    claim_attempts: int = Field(default=6, ge=1, le=20)
    #: The longest pause between two requests for one claim.
    claim_max_backoff_s: float = Field(default=8.0, ge=0)
    retry_initial_backoff_s: float = Field(default=0.5, ge=0)
    retry_max_backoff_s: float = Field(default=8.0, ge=0)

    # Firetext.
    firetext_base_url: str = "http://127.0.0.1:9002"
    firetext_api_key: SecretStr = SecretStr("test-api-key")
    sms_sender_id: SenderId = "Cohort"
    #: Organisations with their own Firetext account, as JSON:
    #: ``{"A81001": {"api_key": "...", "sender_id": "HighStSurg"}}``; others use the defaults.
    firetext_accounts: dict[OdsCode, FiretextAccountSettings] = Field(default_factory=dict)
    receipt_url: str = "http://127.0.0.1:8000/v1/webhooks/firetext/receipts"
    webhook_secret: SecretStr = SecretStr(DEV_WEBHOOK_SECRET)
    firetext_connect_timeout_s: float = Field(default=5.0, gt=0)
    #: Also the longest wait for a free pooled connection.
    firetext_pool_timeout_s: float = Field(default=10.0, gt=0)
    firetext_read_timeout_s: float = Field(default=10.0, gt=0)
    #: A credit balance is asked for while staff wait on the review page.
    firetext_credit_timeout_s: float = Field(default=5.0, gt=0)
    #: Seconds between reads of every account's balance for the credit gauge; 0 turns it off.
    credit_check_interval_s: float = Field(default=300.0, ge=0)

    # SMTP relay.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_from: str = "noreply@cohort.invalid"
    #: The From address per organisation, as JSON: ``{"A81001": "surgery@example.nhs.uk"}``;
    #: others use ``DISPATCH_SMTP_FROM``.
    email_senders: dict[OdsCode, str] = Field(default_factory=dict)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_use_tls: bool = False
    smtp_start_tls: bool | None = None
    smtp_timeout_s: float = Field(default=30.0, gt=0)
    email_default_subject: str = "A message from your GP practice"

    @field_validator("webhook_secret")
    @classmethod
    def _no_placeholder_secret(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        if secret.strip().lower() in _PLACEHOLDER_SECRETS or len(secret) < 16:
            raise ValueError("DISPATCH_WEBHOOK_SECRET must be a real secret of 16+ characters")
        return value

    @field_validator("email_senders")
    @classmethod
    def _senders_are_addresses(cls, value: dict[str, str]) -> dict[str, str]:
        bad = sorted(org for org, address in value.items() if not _EMAIL_ADDRESS.fullmatch(address))
        if bad:
            raise ValueError(f"DISPATCH_EMAIL_SENDERS: not an email address for {', '.join(bad)}")
        return value

    @property
    def uses_dev_secrets(self) -> bool:
        return self.webhook_secret.get_secret_value() == DEV_WEBHOOK_SECRET
