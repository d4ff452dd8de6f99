"""Simulator settings, read from ``PDS_SIM_*`` environment variables."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PDS_SIM_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 9001
    #: NDJSON file of FHIR Patient resources, one per line.
    patients: Path | None = None
    #: Answer unknown valid 999-range numbers with a deterministic synthetic patient.
    synthetic: bool = False
    #: Delay added to every FHIR request.
    latency_ms: int = Field(default=0, ge=0)
    #: Requests per second across the whole simulator; 0 means unlimited.
    rate_limit: float = Field(default=0, ge=0)
    #: Fraction of FHIR requests answered 500 UNKNOWN_ERROR.
    error_rate: float = Field(default=0, ge=0, le=1)
    #: Require an OAuth bearer token from ``POST /oauth2/token`` (signed-JWT client credentials).
    auth: bool = False
    #: PEM RSA public key that verifies client assertions (required when ``auth`` is on).
    public_key_path: Path | None = None
    #: The ``aud`` a client assertion must carry: the token URL as the client knows it.
    token_audience: str = "http://127.0.0.1:9001/oauth2/token"
    #: Access-token lifetime; the real service issues 599 s tokens.
    token_ttl_seconds: int = Field(default=599, ge=0)
