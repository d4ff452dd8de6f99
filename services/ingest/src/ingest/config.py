"""Ingest settings, from ``INGEST_*`` environment variables (RabbitMQ's are shared:
``cohort_platform.settings.RabbitSettings``)."""

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from cohort_platform.settings import Port, ServiceSettings


class IngestSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INGEST_", extra="ignore")

    port: Port = 8102
    #: Batches one instance holds at a time. Low, so batches spread across instances (each
    #: batch is minutes of PDS calls at 5 req/s), but above one so the next is ready.
    prefetch: int = Field(default=2, ge=1, le=16)

    pds_base_url: str = "http://127.0.0.1:9001/personal-demographics/FHIR/R4"
    #: How ingest authenticates to PDS: ``off`` (no Authorization header: sandbox, simulator),
    #: ``static`` (``pds_access_token``), ``signed-jwt`` (application-restricted, as the real
    #: service needs: reference/pds.md §5).
    pds_auth: Literal["off", "static", "signed-jwt"] = "off"
    pds_access_token: SecretStr | None = None
    #: The app's API key from the NHS developer portal: the client assertion's iss and sub.
    pds_api_key: SecretStr | None = None
    #: PEM RSA private key that signs client assertions; its public key is the app's JWKS.
    pds_private_key_path: Path | None = None
    #: ``kid`` of that key in the JWKS.
    pds_key_id: str | None = None
    #: Token endpoint: the POST target and the assertion's aud. The real one is
    #: https://api.service.nhs.uk/oauth2/token (int.api.service.nhs.uk for INT).
    pds_token_url: str = "http://127.0.0.1:9001/oauth2/token"
    pds_connect_timeout_s: float = Field(default=5.0, gt=0)
    pds_read_timeout_s: float = Field(default=10.0, gt=0)
    pds_attempt_timeout_s: float = Field(default=15.0, gt=0)
    #: Attempts per lookup, the first included; then the row is PDS_UNAVAILABLE.
    pds_retry_attempts: int = Field(default=5, ge=1, le=20)
    pds_backoff_initial_s: float = Field(default=0.5, ge=0)
    pds_backoff_max_s: float = Field(default=10.0, ge=0)
    #: While PDS refuses our credentials (401/403), lookups are held, not failed; one tries
    #: again after this pause, doubled after each refusal.
    pds_credentials_retry_initial_s: float = Field(default=5.0, gt=0)
    #: The longest pause between tries while PDS refuses our credentials.
    pds_credentials_retry_max_s: float = Field(default=300.0, gt=0)
    #: PDS requests in flight per instance.
    pds_concurrency: int = Field(default=20, ge=1, le=500)
    #: PDS requests per second for the whole deployment, shared by the instances that have
    #: lookups to make (cohort_platform.busy_sharing); the default application quota is 5 TPS
    #: (reference/pds.md §4).
    pds_rate_limit: float = Field(default=5.0, gt=0)
    #: How often an instance with lookups to make re-counts the instances sharing the limit.
    pds_rate_refresh_s: float = Field(default=0.1, gt=0, le=60)
    #: How long a share is used after the count it came from; joining and taking a larger
    #: share wait twice this. Must be longer than the refresh period.
    pds_rate_lease_s: float = Field(default=0.5, gt=0, le=60)
    #: How long an instance keeps its share after its last lookup (between batches).
    pds_rate_linger_s: float = Field(default=0.5, ge=0, le=60)

    @model_validator(mode="after")
    def _refresh_within_lease(self) -> Self:
        if self.pds_rate_refresh_s >= self.pds_rate_lease_s:
            raise ValueError(
                "INGEST_PDS_RATE_REFRESH_S must be shorter than INGEST_PDS_RATE_LEASE_S"
            )
        return self

    @model_validator(mode="after")
    def _auth_is_complete(self) -> Self:
        # Fail at start-up, not with a 401 on every row of the first batch.
        if self.pds_auth == "static" and self.pds_access_token is None:
            raise ValueError("INGEST_PDS_AUTH=static needs INGEST_PDS_ACCESS_TOKEN")
        if self.pds_auth == "off" and self.pds_access_token is not None:
            raise ValueError("INGEST_PDS_ACCESS_TOKEN is set but INGEST_PDS_AUTH is off")
        if self.pds_auth == "signed-jwt":
            missing = [
                f"INGEST_{name.upper()}"
                for name in ("pds_api_key", "pds_private_key_path", "pds_key_id")
                if getattr(self, name) is None
            ]
            if missing:
                raise ValueError(f"INGEST_PDS_AUTH=signed-jwt needs {', '.join(missing)}")
        return self
