"""Gateway settings, read from ``GATEWAY_*`` environment variables."""

from pathlib import Path
from typing import Literal

from pydantic import AnyHttpUrl, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from cohort_http.body_limit import DEFAULT_MAX_BODY_BYTES
from cohort_platform.settings import Port, ServiceSettings
from cohort_platform.webhooks import DEV_WEBHOOK_SECRET

from .domain.identity import DEFAULT_AUDIENCE, DEFAULT_ISSUER

# Development defaults, shared with ``make token`` (``entrypoints/dev_tokens.py``) so a dev token
# just works. The JWT key is 32+ bytes because PyJWT warns about shorter HS256 keys (RFC 7518
# §3.2).
DEV_JWT_SECRET = "dev-only-cohort-gateway-jwt-secret-change-me"
DEV_PATIENT_SERVICE_SECRET = "dev-only-cohort-patient-service-secret-change-me"


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    #: Port of the API and of ``/healthz``, ``/readyz`` and ``/metrics``.
    port: Port = 8000
    #: ``production`` refuses the development JWT and webhook secrets.
    environment: Literal["development", "production"] = "development"

    jwt_secret: SecretStr = SecretStr(DEV_JWT_SECRET)
    jwt_issuer: str = DEFAULT_ISSUER
    jwt_audience: str = DEFAULT_AUDIENCE
    #: Seconds of clock skew tolerated on ``exp``.
    jwt_leeway_s: int = Field(default=30, ge=0, le=300)
    webhook_secret: SecretStr = SecretStr(DEV_WEBHOOK_SECRET)

    #: The OpenID Connect provider (its ``iss``) whose tokens staff sign in with: NHS CIS2 in
    #: England. Set, only its RS256/ES256 tokens are accepted; HS256 development tokens are not.
    oidc_issuer: str | None = None
    #: The ``aud`` the provider's tokens must carry for the gateway (its client id at the provider).
    oidc_audience: str = DEFAULT_AUDIENCE
    #: The provider's signing keys; unset: the ``jwks_uri`` of its discovery document.
    oidc_jwks_url: AnyHttpUrl | None = None
    #: Signature algorithms accepted; only asymmetric ones can be named, never HS* or none.
    oidc_algorithms: list[Literal["RS256", "ES256"]] = Field(
        default=["RS256", "ES256"], min_length=1
    )
    #: Claim naming the user's organisation (an ODS code).
    oidc_org_claim: str = "org"
    #: Claim listing the user's roles at the provider (a list, or a space-separated string).
    oidc_roles_claim: str = "roles"
    #: The provider's role values that may compose and send (JSON list).
    oidc_sender_roles: list[str] = Field(default_factory=lambda: ["sender"])
    #: The provider's role values that may only view (JSON list).
    oidc_viewer_roles: list[str] = Field(default_factory=lambda: ["viewer"])
    #: Seconds fetched signing keys are trusted before they are fetched again.
    oidc_keys_ttl_s: int = Field(default=3600, ge=1, le=86_400)
    #: The least seconds between two fetches when a token names a key not yet seen (rotation),
    #: so made-up ``kid``s cannot make the gateway hammer the provider.
    oidc_keys_refetch_s: float = Field(default=30.0, ge=0, le=3600)

    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    #: Every other request body (JSON, forms, callbacks): refused with 413 beyond this.
    max_body_bytes: int = Field(default=DEFAULT_MAX_BODY_BYTES, ge=1024, le=16 * 1024 * 1024)
    #: Send Strict-Transport-Security on every response: set it when clients reach the gateway
    #: over TLS (a proxy in front); a request that arrives as https gets it anyway.
    hsts: bool = False
    max_rows: int = Field(default=100_000, ge=1)
    batch_size: int = Field(default=200, ge=1, le=5000)
    #: ``ResolveRows`` publishes awaiting the broker's confirm at once, per upload.
    publish_window: int = Field(default=16, ge=1, le=256)
    #: What an .xlsx may unpack to (its XML); guards against zip bombs.
    max_xlsx_unpacked_bytes: int = Field(default=256 * 1024 * 1024, ge=1024 * 1024)

    #: Firetext receipts are published in batches of up to this many, or after this long,
    #: whichever comes first; beyond ``receipt_max_waiting`` unpublished ones, answer 503.
    receipt_batch_size: int = Field(default=200, ge=1, le=500)
    receipt_batch_wait_ms: int = Field(default=20, ge=0, le=1000)
    receipt_max_waiting: int = Field(default=10_000, ge=1)

    #: Identical reads of a campaign or the overview within this many milliseconds share one
    #: answer (``adapters/coalesced_reads.py``); 0 turns sharing off.
    read_cache_ms: int = Field(default=250, ge=0, le=5000)

    #: JSON naming practices and networks (see README); unset: every org is a lone practice.
    organisations_file: Path | None = None

    #: The public link endpoint, per client IP: requests a minute, and how many may come at once.
    link_requests_per_minute: int = Field(default=30, ge=1, le=100_000)
    link_burst: int = Field(default=10, ge=1, le=100_000)

    #: HS256 key of the patient service's bearer tokens (the same value as
    #: ``PATIENT_GATEWAY_SECRET``; 32+ bytes). A secret.
    patient_service_secret: SecretStr = SecretStr(DEV_PATIENT_SERVICE_SECRET)
    #: The patient-link API: requests a minute one patient address may make.
    patient_requests_per_minute: int = Field(default=120, ge=1, le=100_000)
    #: The patient-link API: requests one patient address may make at once.
    patient_burst: int = Field(default=30, ge=1, le=100_000)

    #: Live progress (``/events``): how often a watched campaign is read.
    events_poll_s: float = Field(default=1.0, gt=0, le=10)
    #: How often a quiet ``/events`` stream sends a comment, so proxies keep it open.
    events_keepalive_s: float = Field(default=15.0, gt=0, le=300)
    #: Seconds open connections (event streams) get to finish when the gateway stops.
    shutdown_grace_s: int = Field(default=5, ge=0, le=120)

    @model_validator(mode="after")
    def _no_dev_secrets_in_production(self) -> "GatewaySettings":
        if len(self.jwt_secret.get_secret_value().encode()) < 32:
            raise ValueError("GATEWAY_JWT_SECRET must be at least 32 bytes (HS256)")
        if len(self.patient_service_secret.get_secret_value().encode()) < 32:
            raise ValueError("GATEWAY_PATIENT_SERVICE_SECRET must be at least 32 bytes (HS256)")
        if self.environment == "production" and (
            self.jwt_secret.get_secret_value() == DEV_JWT_SECRET
            or self.webhook_secret.get_secret_value() == DEV_WEBHOOK_SECRET
            or self.patient_service_secret.get_secret_value() == DEV_PATIENT_SERVICE_SECRET
        ):
            raise ValueError(
                "set GATEWAY_JWT_SECRET, GATEWAY_WEBHOOK_SECRET and "
                "GATEWAY_PATIENT_SERVICE_SECRET in production"
            )
        return self
