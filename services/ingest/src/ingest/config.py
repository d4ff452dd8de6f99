"""Ingest settings, from ``INGEST_*`` environment variables (RabbitMQ's are shared:
``cohort_platform.settings.RabbitSettings``)."""

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class IngestSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INGEST_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8102, ge=1, le=65535)
    log_level: str = "INFO"
    #: Batches one instance holds at a time. Low, so batches spread across instances (each
    #: batch is minutes of PDS calls at 5 req/s), but above one so the next is ready.
    prefetch: int = Field(default=2, ge=1, le=16)

    pds_base_url: str = "http://127.0.0.1:9001/personal-demographics/FHIR/R4"
    #: Bearer token sent to PDS when set. The real service needs the signed-JWT flow
    #: (reference/pds.md §5), which will plug in behind ``ports.AccessTokenProvider``.
    pds_access_token: SecretStr | None = None
    pds_connect_timeout_s: float = Field(default=5.0, gt=0)
    pds_read_timeout_s: float = Field(default=10.0, gt=0)
    pds_attempt_timeout_s: float = Field(default=15.0, gt=0)
    #: Attempts per lookup, the first included; then the row is PDS_UNAVAILABLE.
    pds_retry_attempts: int = Field(default=5, ge=1, le=20)
    pds_backoff_initial_s: float = Field(default=0.5, ge=0)
    pds_backoff_max_s: float = Field(default=10.0, ge=0)
    #: PDS requests in flight per instance.
    pds_concurrency: int = Field(default=20, ge=1, le=500)
    #: PDS requests per second per instance; the default application quota is 5 TPS
    #: (reference/pds.md §4). TODO(issue 3): share this budget across all ingest instances.
    pds_rate_limit: float = Field(default=5.0, gt=0)
