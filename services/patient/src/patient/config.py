"""Patient service settings, read from ``PATIENT_*`` environment variables."""

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from cohort_http.page_settings import PageAppSettings, Port, check_secrets

#: ``make setup`` installs the front-end packages here (``npm ci``); they are never committed.
NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
DEV_SESSION_SECRET = "dev-only-cohort-patient-session-secret-change-me"
#: The gateway's development default for the patient service's tokens.
DEV_GATEWAY_SECRET = "dev-only-cohort-patient-service-secret-change-me"
GATEWAY_AUDIENCE = "cohort-patient-links"


class PatientSettings(PageAppSettings):
    model_config = SettingsConfigDict(env_prefix="PATIENT_", extra="ignore")

    port: Port = 8090
    #: Timeout of one gateway request (booking waits for the practice's system).
    gateway_timeout_s: float = Field(default=20.0, gt=0, le=120)
    #: HS256 key of this service's tokens for the gateway (``GATEWAY_PATIENT_SERVICE_SECRET``).
    gateway_secret: SecretStr = SecretStr(DEV_GATEWAY_SECRET)

    session_secret: SecretStr = SecretStr(DEV_SESSION_SECRET)
    #: A session (and what the patient answered so far) lasts this long.
    session_max_age_s: int = Field(default=30 * 60, ge=60, le=4 * 3600)
    #: Which client address to rate-limit by: the peer's, or the first of ``X-Forwarded-For``
    #: when a trusted proxy in front sets it.
    trust_forwarded_for: bool = False
    #: The NHS.UK frontend package from npm.
    node_modules: Path = NODE_MODULES

    @model_validator(mode="after")
    def _safe_in_production(self) -> "PatientSettings":
        check_secrets(
            "PATIENT_",
            production=self.environment == "production",
            secure_cookies=self.secure_cookies,
            secrets={
                "session_secret": (self.session_secret.get_secret_value(), DEV_SESSION_SECRET),
                "gateway_secret": (self.gateway_secret.get_secret_value(), DEV_GATEWAY_SECRET),
            },
        )
        return self
