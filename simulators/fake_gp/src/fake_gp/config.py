"""Fake GP system settings, from ``FAKE_GP_*`` environment variables."""

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FAKE_GP_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=9003, ge=1, le=65535)
    mesh_url: str = "http://127.0.0.1:8700"
    #: The practice mailboxes it reads, comma-separated (simulators/mesh-sandbox/mailboxes.jsonl).
    mailboxes: str = "A81001GP1,A81002GP1"
    mesh_password: SecretStr = SecretStr("gp-dev-mesh-password")
    mesh_shared_key: SecretStr = SecretStr("cohort-dev-shared-key")
    poll_interval_s: float = Field(default=0.5, gt=0)
    #: What the practice answers, by the last digit of the patient's NHS number, e.g.
    #: ``1=not_registered,2=rejected,3=silent,4=uncollected``; every other digit ``default``.
    #: ``filed``: 20013 then 30001; ``not_registered``: 20013 then 30002; ``rejected``: 20009;
    #: ``silent``: collects it and never answers; ``uncollected``: leaves it in the mailbox.
    behaviours: str = ""
    default: str = "filed"
    ack_workflow_id: str = "GPCONNECT_SEND_DOCUMENT_ACK"
