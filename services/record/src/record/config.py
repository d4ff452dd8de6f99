"""Record service settings (env prefix ``RECORD_``; ``MONGODB_URL`` as the design names it).

Secrets (the MESH mailbox password and shared key) are ``SecretStr``: never printed, never in a
validation error, never logged. Their defaults are mesh-sandbox's development values and the
service warns while they are in use; they are refused against a real MESH (an ``https`` URL)."""

import json
from pathlib import Path
from typing import Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import SettingsConfigDict

from cohort_contracts.envelope import OdsCode
from cohort_platform.settings import Port, ServiceSettings

#: mesh-sandbox development credentials (simulators/mesh-sandbox/mailboxes.jsonl).
DEV_MESH_PASSWORD = "cohort-dev-mesh-password"
DEV_SHARED_KEY = "cohort-dev-shared-key"
LIVE_HOSTS = ("mesh-sync.spineservices.nhs.uk", "mesh-sync.national.ncrs.nhs.uk")


class PracticeSettings(BaseModel):
    """One practice that has opted in to saving to record."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    #: Shown in the document; else the organisations file's name, else the ODS code.
    name: str | None = None
    #: ``demographic``: MESH automated routing (``GPPROVIDER_…``), required by the specification
    #: on live MESH; ``mailbox``: straight to ``mailbox`` (mesh-sandbox and INT only).
    addressing: Literal["demographic", "mailbox"] = "demographic"
    mailbox: str | None = None

    @model_validator(mode="after")
    def _mailbox_named(self) -> "PracticeSettings":
        if self.addressing == "mailbox" and not self.mailbox:
            raise ValueError("mailbox addressing needs a mailbox")
        return self


class RecordSettings(ServiceSettings):
    # Errors never quote the input: the MESH settings hold secrets.
    model_config = SettingsConfigDict(
        env_prefix="RECORD_", extra="ignore", hide_input_in_errors=True
    )

    port: Port = 8104
    prefetch: int = Field(default=32, ge=1, le=1000)
    #: Unset means the in-process stand-in (development and tests only).
    mongodb_url: str | None = Field(
        default=None, validation_alias=AliasChoices("MONGODB_URL", "RECORD_MONGODB_URL")
    )
    mongodb_database: str = "cohort_record"

    # MESH: the sender mailbox (documents out, acknowledgements and reports in).
    mesh_url: str = "http://127.0.0.1:8700"
    mesh_mailbox: str = "X26COHORT1"
    mesh_password: SecretStr = SecretStr(DEV_MESH_PASSWORD)
    mesh_shared_key: SecretStr = SecretStr(DEV_SHARED_KEY)
    mesh_cert_file: Path | None = None
    mesh_key_file: Path | None = None
    mesh_ca_file: Path | None = None
    mesh_timeout_s: float = Field(default=60.0, gt=0)
    workflow_id: str = "GPCONNECT_SEND_DOCUMENT"
    ack_workflow_id: str = "GPCONNECT_SEND_DOCUMENT_ACK"

    # The sender named in every message.
    sender_ods_code: OdsCode = "X26"
    sender_name: str = "Cohort"

    #: Practices that save to record, as JSON:
    #: ``{"A81001": {"addressing": "mailbox", "mailbox": "A81001GP1"}}``. Anyone else's
    #: delivered messages are "Not saved: practice not set up for saving to record".
    practices: dict[OdsCode, PracticeSettings] = Field(default_factory=dict)
    #: The organisations JSON the gateway and campaign read; practice names for documents.
    organisations_file: Path | None = None

    # Document codes, until NHS England approves codes for this document type.
    document_type_code: str = "371525003"
    document_type_display: str = "Clinical procedure report"
    care_setting_code: str = "788007007"
    care_setting_display: str = "General practice service"

    # Timing.
    #: MESH: poll an inbox at most every 5 minutes (more often while full pages come back).
    poll_interval_s: float = Field(default=300.0, gt=0)
    handshake_interval_s: float = Field(default=24 * 3600, gt=0)
    #: How often the sender looks for due entries when nothing woke it.
    send_interval_s: float = Field(default=1.0, gt=0)
    send_batch: int = Field(default=50, ge=1, le=500)
    #: A claimed send older than this is taken over (its sender died).
    claim_s: float = Field(default=120.0, gt=0)
    #: Ask MESH (tracking by local id) whether it already has an entry's document before its
    #: first send too, not only after an uncertain attempt: one GET per document.
    verify_first_send: bool = True
    #: Back-off between send attempts; after the last, the entry fails ``send_error``.
    retry_delays_s: list[float] = Field(default=[60, 300, 900, 3600, 10800], min_length=1)
    infrastructure_ack_timeout_s: float = Field(default=24 * 3600, gt=0)
    business_ack_timeout_s: float = Field(default=48 * 3600, gt=0)
    timeout_sweep_interval_s: float = Field(default=60.0, gt=0)

    @field_validator("practices", mode="before")
    @classmethod
    def _practices_as_json(cls, value: object) -> object:
        # From the environment pydantic-settings decodes the JSON itself; given directly (a
        # compose file's value, a test), it is still JSON text.
        return json.loads(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _safe_for_live(self) -> "RecordSettings":
        url = self.mesh_url.lower()
        if any(host in url for host in LIVE_HOSTS):
            explicit = sorted(o for o, p in self.practices.items() if p.addressing == "mailbox")
            if explicit:
                raise ValueError(
                    "RECORD_PRACTICES: live MESH requires demographic addressing "
                    f"(GPPROVIDER_), not a mailbox, for {', '.join(explicit)}"
                )
        if url.startswith("https://") and self.uses_dev_secrets:
            raise ValueError(
                "RECORD_MESH_PASSWORD and RECORD_MESH_SHARED_KEY must be set for a real MESH"
            )
        return self

    @property
    def uses_dev_secrets(self) -> bool:
        return (
            self.mesh_password.get_secret_value() == DEV_MESH_PASSWORD
            or self.mesh_shared_key.get_secret_value() == DEV_SHARED_KEY
        )
