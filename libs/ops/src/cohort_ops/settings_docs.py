"""``docs/configuration.md``, generated from the pydantic settings every process reads: each
variable's name, type, default and meaning. The meaning is the ``#:`` comment above the field
in its settings class, or, for the few fields without one, ``DESCRIPTIONS`` below.
``python -m cohort_ops.settings_docs --write`` regenerates it; ``tests/test_operator_docs.py``
fails when a setting has no description or the file is out of date."""

import ast
import inspect
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from pydantic_settings import BaseSettings

from campaign.config import CampaignSettings
from cohort_platform.settings import RabbitSettings
from cohort_platform.tracing import TracingSettings
from dispatch.config import Settings as DispatchSettings
from fake_gp.config import Settings as FakeGpSettings
from firetext_sim.config import Settings as FiretextSimSettings
from gateway.config import GatewaySettings
from gpconnect_sim.config import Settings as GpConnectSimSettings
from ingest.config import IngestSettings
from patient.config import PatientSettings
from pds_sim.config import Settings as PdsSimSettings
from record.config import RecordSettings
from web.config import WebSettings

from .generated import print_or_write

ROOT = Path(__file__).resolve().parents[4]
DOCUMENT = ROOT / "docs" / "configuration.md"

SECTIONS: tuple[tuple[str, type[BaseSettings], str], ...] = (
    (
        "Every service: RabbitMQ",
        RabbitSettings,
        "Read by gateway, campaign, ingest, dispatch and record.",
    ),
    ("Every service: tracing", TracingSettings, "OpenTelemetry; see docs/operations.md#tracing."),
    ("gateway", GatewaySettings, "The HTTP API (`python -m gateway`)."),
    ("campaign", CampaignSettings, "State, rendering and release (`python -m campaign`)."),
    ("ingest", IngestSettings, "Row validation and PDS lookups (`python -m ingest`)."),
    ("dispatch", DispatchSettings, "Sending through Firetext and SMTP (`python -m dispatch`)."),
    ("record", RecordSettings, "Save to record over GP Connect Send Document and MESH."),
    ("web", WebSettings, "The staff web app (`python -m web`)."),
    ("patient", PatientSettings, "The patient's pages of a link (`python -m patient`)."),
    ("PDS simulator (development only)", PdsSimSettings, "Never deployed outside dev."),
    ("Firetext simulator (development only)", FiretextSimSettings, "Never deployed outside dev."),
    ("Fake GP system (development only)", FakeGpSettings, "Never deployed outside dev."),
    (
        "GP Connect simulator (development only)",
        GpConnectSimSettings,
        "Appointment Management for booking campaigns; never deployed outside dev.",
    ),
)

#: Meanings of fields whose class has no ``#:`` comment for them, by environment variable.
DESCRIPTIONS: dict[str, str] = {
    "RABBITMQ_URL": "AMQP URL of RabbitMQ, with credentials (a secret). For a cluster, a "
    "load-balanced address (the Kubernetes Service, or HAProxy in compose.ha.yml): the "
    "client reconnects through it when a node goes.",
    "GATEWAY_LINK_BURST": "Requests to the public link endpoint one client IP may make at once.",
    "GATEWAY_JWT_SECRET": "HS256 key that signs bearer tokens (32+ bytes). A secret.",
    "GATEWAY_JWT_ISSUER": "Required `iss` claim of bearer tokens.",
    "GATEWAY_JWT_AUDIENCE": "Required `aud` claim of bearer tokens.",
    "GATEWAY_WEBHOOK_SECRET": "Checks the token in Firetext's receipt and inbound URLs; the "
    "same value as `DISPATCH_WEBHOOK_SECRET`. A secret.",
    "GATEWAY_MAX_UPLOAD_BYTES": "Largest patient list file accepted (413 above it).",
    "GATEWAY_MAX_ROWS": "Most rows in one patient list.",
    "GATEWAY_BATCH_SIZE": "Rows per `ResolveRows` message.",
    "CAMPAIGN_HOST": "Address the health and metrics server binds.",
    "CAMPAIGN_PORT": "Port of `/healthz`, `/readyz`, `/metrics`, `/asyncapi`.",
    "MONGODB_URL": "MongoDB connection string (also `CAMPAIGN_MONGODB_URL`); for a replica "
    "set name every member and `replicaSet=`. Unset: the in-process stand-in, development "
    "only. A secret when it holds credentials.",
    "CAMPAIGN_MONGODB_DATABASE": "Database that holds campaign's collections.",
    "CAMPAIGN_RELEASE_BATCH_SIZE": "Recipients per `SendMessages` message.",
    "CAMPAIGN_UNPUBLISHED_GRACE_S": "Age at which a released batch that never reached the "
    "queue is republished by a sweep, and a send-again list whose rows were not all handed to "
    "ingest has them queued by one.",
    "CAMPAIGN_PREFETCH": "Messages one campaign instance holds unacknowledged at once.",
    "CAMPAIGN_CREDIT_TIMEOUT_S": "How long a review waits for dispatch's credit balance.",
    "DISPATCH_SMS_PROVIDER": "`firetext`, or `stub` (accepts everything, sends nothing).",
    "DISPATCH_EMAIL_PROVIDER": "`smtp`, or `stub`.",
    "DISPATCH_CONCURRENCY": "Provider calls in flight per instance.",
    "DISPATCH_SEND_ATTEMPTS": "Attempts per provider call before its recipients fail.",
    "DISPATCH_RETRY_INITIAL_BACKOFF_S": "First wait between provider call attempts.",
    "DISPATCH_RETRY_MAX_BACKOFF_S": "Longest wait between provider call attempts.",
    "DISPATCH_FIRETEXT_BASE_URL": "Firetext's API base URL.",
    "DISPATCH_FIRETEXT_API_KEY": "The default Firetext account's API key. A secret.",
    "DISPATCH_SMS_SENDER_ID": "Default sender name (3 to 11 letters and digits).",
    "DISPATCH_RECEIPT_URL": "The gateway's public receipt webhook, given to Firetext per "
    "message (the organisation and its token are appended).",
    "DISPATCH_WEBHOOK_SECRET": "Signs the receipt URL's token; the same value as "
    "`GATEWAY_WEBHOOK_SECRET`. A secret.",
    "DISPATCH_FIRETEXT_CONNECT_TIMEOUT_S": "Connect timeout of Firetext calls.",
    "DISPATCH_FIRETEXT_READ_TIMEOUT_S": "Read timeout of Firetext calls (a send that times out "
    "is `outcome_unknown`, never resent).",
    "DISPATCH_SMTP_HOST": "SMTP relay host.",
    "DISPATCH_SMTP_PORT": "SMTP relay port.",
    "DISPATCH_SMTP_FROM": "Default From address.",
    "DISPATCH_SMTP_USERNAME": "SMTP login, if the relay needs one.",
    "DISPATCH_SMTP_PASSWORD": "SMTP password. A secret.",
    "DISPATCH_SMTP_USE_TLS": "Implicit TLS (port 465).",
    "DISPATCH_SMTP_START_TLS": "STARTTLS; unset lets the client decide from the server.",
    "DISPATCH_SMTP_TIMEOUT_S": "Timeout of one SMTP conversation.",
    "DISPATCH_EMAIL_DEFAULT_SUBJECT": "Subject of emails whose campaign sets none.",
    "GATEWAY_RECEIPT_BATCH_WAIT_MS": "Longest a Firetext receipt waits for its batch to fill "
    "before the batch is published (see `GATEWAY_RECEIPT_BATCH_SIZE`).",
    "GATEWAY_RECEIPT_MAX_WAITING": "Receipts waiting to be published beyond which the webhook "
    "answers 503 (Firetext retries).",
    "RECORD_PREFETCH": "Record entries one instance holds unacknowledged at once.",
    "RECORD_MONGODB_DATABASE": "Database that holds the record service's entries.",
    "RECORD_MESH_URL": "MESH API base URL (mesh-sandbox in development; the live or INT "
    "MESH host otherwise).",
    "RECORD_MESH_MAILBOX": "The sending MESH mailbox id.",
    "RECORD_MESH_PASSWORD": "The MESH mailbox password. A secret.",
    "RECORD_MESH_SHARED_KEY": "The MESH environment's shared key (authentication header "
    "HMAC). A secret.",
    "RECORD_MESH_CERT_FILE": "TLS client certificate for MESH (PEM).",
    "RECORD_MESH_KEY_FILE": "Private key of the TLS client certificate (PEM). A secret.",
    "RECORD_MESH_CA_FILE": "CA bundle that signs the MESH server's certificate.",
    "RECORD_MESH_TIMEOUT_S": "Timeout of one MESH API call.",
    "RECORD_WORKFLOW_ID": "MESH workflow of the documents sent.",
    "RECORD_ACK_WORKFLOW_ID": "MESH workflow of the practices' acknowledgements.",
    "RECORD_SENDER_ODS_CODE": "ODS code named as the sender in every document.",
    "RECORD_SENDER_NAME": "Organisation name named as the sender in every document.",
    "RECORD_DOCUMENT_TYPE_CODE": "SNOMED CT code of the document type.",
    "RECORD_DOCUMENT_TYPE_DISPLAY": "Display text of the document type.",
    "RECORD_CARE_SETTING_CODE": "SNOMED CT code of the care setting.",
    "RECORD_CARE_SETTING_DISPLAY": "Display text of the care setting.",
    "RECORD_HANDSHAKE_INTERVAL_S": "How often each mailbox's MESH handshake is made (daily).",
    "RECORD_SEND_BATCH": "Due entries one sender pass takes.",
    "RECORD_INFRASTRUCTURE_ACK_TIMEOUT_S": "Wait for the practice system's infrastructure "
    "acknowledgement before the entry is `not_collected` or `no_ack`.",
    "RECORD_BUSINESS_ACK_TIMEOUT_S": "Wait for the business acknowledgement after the "
    "infrastructure one before the entry is `no_ack`.",
    "RECORD_TIMEOUT_SWEEP_INTERVAL_S": "How often acknowledgement timeouts are looked for.",
    "FAKE_GP_HOST": "Address the fake GP system binds.",
    "FAKE_GP_PORT": "Port of the fake GP system.",
    "FAKE_GP_MESH_URL": "The MESH (mesh-sandbox) it polls.",
    "FAKE_GP_MESH_PASSWORD": "Its mailboxes' password at mesh-sandbox.",
    "FAKE_GP_MESH_SHARED_KEY": "mesh-sandbox's shared key.",
    "FAKE_GP_POLL_INTERVAL_S": "How often it polls its mailboxes.",
    "FAKE_GP_DEFAULT": "What it answers for digits `FAKE_GP_BEHAVIOURS` does not name.",
    "FAKE_GP_ACK_WORKFLOW_ID": "MESH workflow of the acknowledgements it sends.",
    "INGEST_PDS_BASE_URL": "PDS FHIR R4 base URL.",
    "INGEST_PDS_ACCESS_TOKEN": "Bearer token for `INGEST_PDS_AUTH=static`. A secret.",
    "INGEST_PDS_CONNECT_TIMEOUT_S": "Connect timeout of PDS calls.",
    "INGEST_PDS_READ_TIMEOUT_S": "Read timeout of PDS calls.",
    "INGEST_PDS_ATTEMPT_TIMEOUT_S": "Longest one PDS attempt may take in all.",
    "INGEST_PDS_BACKOFF_INITIAL_S": "First wait before a PDS retry (429s honour Retry-After).",
    "INGEST_PDS_BACKOFF_MAX_S": "Longest wait before a PDS retry.",
    "PDS_SIM_HOST": "Address the simulator binds.",
    "PDS_SIM_PORT": "Port of the simulator.",
    "PDS_SIM_PATIENTS": "NDJSON file of FHIR Patient resources.",
    "PDS_SIM_SYNTHETIC": "Answer any valid 999-range NHS number with a synthetic patient.",
    "PDS_SIM_LATENCY_MS": "Added to every answer.",
    "PDS_SIM_RATE_LIMIT": "Requests per second before 429s (0: none).",
    "PDS_SIM_ERROR_RATE": "Fraction of requests answered 5xx.",
    "PDS_SIM_AUTH": "Require signed-JWT OAuth, as the real PDS does.",
    "PDS_SIM_PUBLIC_KEY_PATH": "Public key that checks client assertions.",
    "PDS_SIM_TOKEN_AUDIENCE": "Expected `aud` of client assertions.",
    "PDS_SIM_TOKEN_TTL_SECONDS": "Lifetime of issued access tokens.",
    "FIRETEXT_SIM_HOST": "Address the simulator binds.",
    "FIRETEXT_SIM_PORT": "Port of the simulator.",
    "FIRETEXT_SIM_API_KEY": "The API key it accepts.",
    "FIRETEXT_SIM_CREDIT": "Starting credit balance.",
    "FIRETEXT_SIM_RECEIPT_DELAY_MS": "Delay before each delivery receipt is posted.",
    "FIRETEXT_SIM_OUTCOMES": "Receipt outcome by number (see simulators/firetext).",
    "FIRETEXT_SIM_RECEIPT_ATTEMPTS": "Attempts to post each receipt.",
    "FIRETEXT_SIM_RECEIPT_BACKOFF_MS": "Wait between receipt attempts.",
    "FIRETEXT_SIM_RECEIPT_TIMEOUT_S": "Timeout of one receipt post.",
    "FIRETEXT_SIM_LATENCY_MS": "Added to every answer.",
    "FIRETEXT_SIM_ERROR_RATE": "Fraction of sends answered with an error.",
    "FIRETEXT_SIM_RATE_LIMIT": "Requests per second before errors (0: none).",
}


@dataclass(frozen=True)
class Setting:
    variable: str
    type: str
    default: str
    description: str | None


def _comments(cls: type) -> dict[str, str]:
    """The ``#:`` comment lines right above each annotated field of ``cls`` or of a settings
    class it builds on (its own first: a field it declares again may say more)."""
    found: dict[str, str] = {}
    for klass in cls.__mro__:
        if issubclass(klass, BaseSettings) and klass is not BaseSettings:
            found = {**_own_comments(klass), **found}
    return found


def _own_comments(cls: type) -> dict[str, str]:
    lines = inspect.getsource(cls).splitlines()
    tree = ast.parse(textwrap.dedent("\n".join(lines)))
    found: dict[str, str] = {}
    body = tree.body[0].body if isinstance(tree.body[0], ast.ClassDef) else []
    for node in body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            text: list[str] = []
            row = node.lineno - 2
            while row >= 0 and lines[row].strip().startswith("#:"):
                text.insert(0, lines[row].strip()[2:].strip())
                row -= 1
            if text:
                found[node.target.id] = " ".join(text)
    return found


def _variable(cls: type[BaseSettings], name: str, field: FieldInfo) -> str:
    alias = field.validation_alias
    if isinstance(alias, AliasChoices) and isinstance(alias.choices[0], str):
        return alias.choices[0].upper()
    return (str(cls.model_config.get("env_prefix", "")) + name).upper()


def _type(field: FieldInfo) -> str:
    text = str(field.annotation)
    for module in ("typing.", "pathlib.", "decimal.", "pydantic.types."):
        text = text.replace(module, "")
    text = text.replace("<class '", "").replace("'>", "")
    return text.replace("Annotated[str, StringConstraints(", "str(").replace("NoneType", "None")


def _default(field: FieldInfo) -> str:
    if field.default_factory is not None:
        value: Any = field.default_factory()  # type: ignore[call-arg]
    elif field.default is PydanticUndefined:
        return "(required)"
    else:
        value = field.default
    if isinstance(value, SecretStr):
        return "(development value; set a secret)" if value.get_secret_value() else "(unset)"
    if value is None or value == {}:
        return "(unset)"
    if isinstance(value, Path) and value.is_absolute() and value.is_relative_to(ROOT):
        # Worked out from where the code is installed: shown as it is in any checkout.
        value = value.relative_to(ROOT)
    return f"`{value}`"


def settings(cls: type[BaseSettings]) -> list[Setting]:
    comments = _comments(cls)
    found = []
    for name, field in cls.model_fields.items():
        variable = _variable(cls, name, field)
        description = comments.get(name) or DESCRIPTIONS.get(variable)
        found.append(Setting(variable, _type(field), _default(field), description))
    return found


def render() -> str:
    out = [
        "# Configuration reference",
        "",
        "Generated from the pydantic settings classes by",
        "`python -m cohort_ops.settings_docs --write`; do not edit by hand. Every variable is",
        "read from the environment at start;",
        "an invalid value stops the process with the variable's name. Secrets come from",
        "Kubernetes Secrets or the compose environment, never from the image or the repository.",
        "",
    ]
    for title, cls, note in SECTIONS:
        out += [f"## {title}", "", note, "", "| variable | type | default | meaning |"]
        out.append("| --- | --- | --- | --- |")
        for s in settings(cls):
            meaning = (s.description or "").replace("|", "\\|")
            kind = s.type.replace("|", "\\|")
            out.append(f"| `{s.variable}` | {kind} | {s.default.replace('|', '/')} | {meaning} |")
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    return print_or_write("python -m cohort_ops.settings_docs", DOCUMENT, render, argv)


if __name__ == "__main__":
    raise SystemExit(main())
