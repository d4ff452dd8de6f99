"""Campaign service settings (env prefix ``CAMPAIGN_``; ``MONGODB_URL`` as the design names it)."""

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
