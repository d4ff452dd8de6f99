"""Simulator settings, read from ``FIRETEXT_SIM_*`` environment variables."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FIRETEXT_SIM_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 9002
    api_key: str = "test-api-key"
    #: Starting credit balance; one credit per fragment per recipient.
    credit: int = Field(default=1_000_000, ge=0)
    #: Delay before each delivery receipt (and between a pending receipt and its final one).
    receipt_delay_ms: int = Field(default=200, ge=0)
    #: Receipt outcomes by number suffix, e.g. ``0001=1:101,0003=2:000>1:102`` (see outcomes.py).
    outcomes: str = ""
    #: Attempts per receipt POST before it counts as failed, with doubling backoff between them.
    receipt_attempts: int = Field(default=4, ge=1)
    receipt_backoff_ms: int = Field(default=200, ge=0)
    receipt_timeout_s: float = Field(default=5.0, gt=0)
    #: Receipts being posted at once (more wait for a connection, without failing for it).
    receipt_connections: int = Field(default=100, ge=1)
    #: Delay added to every ``/api`` request.
    latency_ms: int = Field(default=0, ge=0)
    #: Fraction of ``/api`` requests answered HTTP 500.
    error_rate: float = Field(default=0, ge=0, le=1)
    #: ``/api`` requests per second; beyond it HTTP 429. 0 means unlimited.
    rate_limit: float = Field(default=0, ge=0)
