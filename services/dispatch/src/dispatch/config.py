"""Dispatch settings, read from ``DISPATCH_*`` environment variables."""

from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from cohort_platform.webhooks import DEV_WEBHOOK_SECRET

#: The receipt-webhook secret used when none is configured. It is public (it is in the source),
#: so it only suits a developer's machine; the gateway's development default must be the same.

_PLACEHOLDER_SECRETS = frozenset({"", "changeme", "changethis", "secret", "password"})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DISPATCH_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8103, ge=1, le=65535)
    log_level: str = "INFO"
    #: Messages a consumer holds at once; each ``SendMessages`` can carry hundreds of patients.
    prefetch: int = Field(default=4, ge=1, le=100)

    sms_provider: Literal["firetext", "stub"] = "firetext"
    email_provider: Literal["smtp", "stub"] = "smtp"

    # Sending policy.
    chunk_size: int = Field(default=25, ge=1, le=500)  # ClaimMessages takes at most 500 ids
    concurrency: int = Field(default=10, ge=1, le=500)
    sms_rate_limit: float = Field(default=20.0, gt=0, description="SMS per second, per instance")
    email_rate_limit: float = Field(default=20.0, gt=0, description="Emails per second")
    send_attempts: int = Field(default=4, ge=1, le=20)
    retry_initial_backoff_s: float = Field(default=0.5, ge=0)
    retry_max_backoff_s: float = Field(default=8.0, ge=0)

    # Firetext.
    firetext_base_url: str = "http://127.0.0.1:9002"
    firetext_api_key: SecretStr = SecretStr("test-api-key")
    #: Firetext's ``from``: letters and digits only, 3 to 11 of them (reference/firetext.md §1).
    sms_sender_id: str = Field(default="Cohort", pattern=r"^[A-Za-z0-9]{3,11}$")
    receipt_url: str = "http://127.0.0.1:8000/v1/webhooks/firetext/receipts"
    webhook_secret: SecretStr = SecretStr(DEV_WEBHOOK_SECRET)
    firetext_connect_timeout_s: float = Field(default=5.0, gt=0)
    #: Also the longest wait for a free pooled connection.
    firetext_pool_timeout_s: float = Field(default=10.0, gt=0)
    firetext_read_timeout_s: float = Field(default=10.0, gt=0)

    # SMTP relay.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_from: str = "noreply@cohort.invalid"
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

    @property
    def uses_dev_secrets(self) -> bool:
        return self.webhook_secret.get_secret_value() == DEV_WEBHOOK_SECRET
