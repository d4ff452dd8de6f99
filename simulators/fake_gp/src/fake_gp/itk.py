"""What a GP system does with a GP Connect Send Document message: check it, and answer with ITK3
response messages (ITK3 FHIR Messaging Distribution: response structure and codes).

Written apart from the record service's own builder and parser, from the specification, so the
two check each other: a document the record service builds must pass ``check_document``, and
the responses built here must be read correctly by the record service."""

import base64
import io
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pypdf import PdfReader

ITK_RESPONSE_CODES = "https://fhir.nhs.uk/STU3/CodeSystem/ITK-ResponseCodes-1"
STU3 = "https://fhir.nhs.uk/STU3/StructureDefinition/"
DISPLAY = {
    "20013": "Success",
    "20009": "Payload invalid",
    "30001": "Patient known here",
    "30002": "Patient not known here",
    "30003": "Patient no longer registered here",
}


class InvalidDocument(Exception):
    pass


@dataclass(frozen=True)
class Document:
    sender_reference: str
    header_id: str
    nhs_number: str
    pdf_text: str


def _resources(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle.get("entry", []) if isinstance(e.get("resource"), dict)]


def _one(resources: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = [r for r in resources if r.get("resourceType") == kind]
    if len(found) != 1:
        raise InvalidDocument(f"expected one {kind}, found {len(found)}")
    return found[0]


def check_document(body: bytes) -> Document:
    """The checks a receiving system makes before filing: an ITK3 message Bundle with a
    MessageHeader (ITK007C, both acks requested, a SenderReference) whose focus is a document
    Bundle with a final Composition about a Patient with an NHS number, and a readable PDF."""
    try:
        message = json.loads(body)
    except ValueError as exc:
        raise InvalidDocument("not JSON") from exc
    if (
        not isinstance(message, dict)
        or message.get("resourceType") != "Bundle"
        or message.get("type") != "message"
    ):
        raise InvalidDocument("not a message Bundle")
    try:
        return _check_message(message)
    except (AttributeError, KeyError, TypeError) as exc:
        # An element of the wrong JSON type (a string where an object belongs, a missing
        # value): a receiving system refuses the message; it must not stop reading its mailbox.
        raise InvalidDocument(f"malformed message ({type(exc).__name__})") from exc


def _check_message(message: dict[str, Any]) -> Document:
    header = _one(_resources(message), "MessageHeader")
    reference = _check_header(header)
    focus = header.get("focus", {}).get("reference", "")
    document = next((e["resource"] for e in message["entry"] if e.get("fullUrl") == focus), None)
    if document is None or document.get("type") != "document":
        raise InvalidDocument("focus is not a document Bundle")
    nhs_number, text = _check_document_bundle(_resources(document))
    return Document(reference, str(header["id"]), nhs_number, text)


def _check_header(header: dict[str, Any]) -> str:
    if header.get("event", {}).get("code") != "ITK007C":
        raise InvalidDocument("event is not ITK007C")
    handling = {
        e["url"]: e
        for ext in header.get("extension", [])
        if ext.get("url") == STU3 + "Extension-ITK-MessageHandling-2"
        for e in ext.get("extension", [])
    }
    # Send Document asks for both: the infrastructure ack (received) and the business ack
    # (filed or refused by the practice); the record service waits for the second.
    if handling.get("InfAckRequested", {}).get("valueBoolean") is not True:
        raise InvalidDocument("no infrastructure ack requested")
    if handling.get("BusAckRequested", {}).get("valueBoolean") is not True:
        raise InvalidDocument("no business ack requested")
    reference = handling.get("SenderReference", {}).get("valueString")
    if not reference:
        raise InvalidDocument("no SenderReference")
    return str(reference)


def _check_document_bundle(inner: list[dict[str, Any]]) -> tuple[str, str]:
    composition = _one(inner, "Composition")
    if composition.get("status") != "final":
        raise InvalidDocument("Composition is not final")
    patient = _one(inner, "Patient")
    nhs = [
        i["value"]
        for i in patient.get("identifier", [])
        if i.get("system") == "https://fhir.nhs.uk/Id/nhs-number"
    ]
    if not nhs:
        raise InvalidDocument("no NHS number")
    if len(nhs) > 1:
        raise InvalidDocument(f"expected one NHS number, found {len(nhs)}")
    binary = _one(inner, "Binary")
    if binary.get("contentType") != "application/pdf":
        raise InvalidDocument("attachment is not a PDF")
    try:
        pdf = PdfReader(io.BytesIO(base64.b64decode(binary["content"])))
        text = "\n".join(page.extract_text() for page in pdf.pages)
    except Exception as exc:
        raise InvalidDocument("PDF unreadable") from exc
    return nhs[0], text


def response_message(
    *, sender_reference: str, header_id: str, code: str, source_mailbox: str
) -> bytes:
    """An ITK3 response (event ITK008M) to the message whose MessageHeader is ``header_id``."""
    header_uuid, outcome_uuid, org_uuid = (str(uuid.uuid4()) for _ in range(3))
    ok = code in {"20013", "30001", "30004"}
    header = {
        "resourceType": "MessageHeader",
        "id": header_uuid,
        "meta": {"profile": [STU3 + "ITK-MessageHeader-2"]},
        "extension": [
            {
                "url": STU3 + "Extension-ITK-MessageHandling-2",
                "extension": [
                    {"url": "BusAckRequested", "valueBoolean": False},
                    {"url": "InfAckRequested", "valueBoolean": False},
                    {
                        "url": "RecipientType",
                        "valueCoding": {
                            "system": "https://fhir.nhs.uk/STU3/CodeSystem/ITK-RecipientType-1",
                            "code": "FA",
                        },
                    },
                    {
                        "url": "MessageDefinition",
                        "valueReference": {
                            "reference": "https://fhir.nhs.uk/STU3/MessageDefinition/"
                            "ITK-Response-MessageDefinition-1"
                        },
                    },
                    {"url": "SenderReference", "valueString": sender_reference},
                    {"url": "LocalExtension", "valueString": "None"},
                ],
            }
        ],
        "event": {
            "system": "https://fhir.nhs.uk/STU3/CodeSystem/ITK-MessageEvent-2",
            "code": "ITK008M",
            "display": "ITK Response",
        },
        "sender": {"reference": f"urn:uuid:{org_uuid}"},
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": {"endpoint": source_mailbox},
        "response": {
            "identifier": header_id,
            "code": "ok" if ok else "fatal-error",
            "details": {"reference": f"urn:uuid:{outcome_uuid}"},
        },
    }
    outcome = {
        "resourceType": "OperationOutcome",
        "id": outcome_uuid,
        "meta": {"profile": [STU3 + "ITK-Response-OperationOutcome-1"]},
        "issue": [
            {
                "severity": "information" if ok else "fatal",
                "code": "informational" if ok else "invalid",
                "details": {
                    "coding": [
                        {
                            "system": ITK_RESPONSE_CODES,
                            "code": code,
                            "display": DISPLAY.get(code, code),
                        }
                    ]
                },
            }
        ],
    }
    organization = {
        "resourceType": "Organization",
        "id": org_uuid,
        "identifier": [{"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "X"}],
    }
    bundle = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"profile": [STU3 + "ITK-Message-Bundle-1"]},
        "identifier": {"value": str(uuid.uuid4())},
        "type": "message",
        "entry": [
            {"fullUrl": f"urn:uuid:{r['id']}", "resource": r}
            for r in (header, outcome, organization)
        ],
    }
    return json.dumps(bundle).encode()
