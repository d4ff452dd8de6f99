"""The GP Connect Send Document message: an ITK3 FHIR STU3 message Bundle whose focus is a
document Bundle carrying the PDF (reference/record.md §4; GP Connect Messaging 1.3.0
GPCM-SD-039…049, ``consultation_report.xml``; Simplifier 2.0.x).

Every id derives from the entry id, and the only time in it is the delivery time, so an entry
builds the same bytes on every attempt: a resend after a crash is recognisably the same message
(``Bundle.identifier``, ``MessageHeader.id`` and the ``SenderReference`` are the entry id).

Codes NHS England has not approved for this use are settings (``DocumentCodes``): whether NHS
would approve "copy of a delivered SMS" as a Send Document type is unconfirmed (record.md §4)."""

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import Any
from uuid import UUID

from .model import Content, Patient
from .pdf import PdfText, render_pdf

Json = dict[str, Any]

STU3 = "https://fhir.nhs.uk/STU3/StructureDefinition/"
CARE_CONNECT = "https://fhir.hl7.org.uk/STU3/StructureDefinition/"
SNOMED = "http://snomed.info/sct"
ODS = "https://fhir.nhs.uk/Id/ods-organization-code"
NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
RFC4122 = "https://tools.ietf.org/html/rfc4122"
#: ITK3 event of a FHIR document message (record.md §4: ``ITK007C``).
EVENT = {
    "system": "https://fhir.nhs.uk/STU3/CodeSystem/ITK-MessageEvent-2",
    "code": "ITK007C",
    "display": "ITK FHIR Documents",
}
#: ``FI``: the practice is sent it for information; it files it to the record.
RECIPIENT_TYPE = {
    "system": "https://fhir.nhs.uk/STU3/CodeSystem/ITK-RecipientType-1",
    "code": "FI",
    "display": "For Information",
}
MESSAGE_DEFINITION = (
    "https://fhir.nhs.uk/STU3/MessageDefinition/ITK-GPConnect-SendDocument-MessageDefinition-1"
)
CHANNEL_WORDS = {"sms": "Text message (SMS)", "email": "Email"}


@dataclass(frozen=True)
class DocumentCodes:
    """SNOMED codes for ``Composition.type`` and the care-setting extension; from settings
    until NHS England approves codes for this document type."""

    type_code: str = "371525003"
    type_display: str = "Clinical procedure report"
    care_setting_code: str = "788007007"
    care_setting_display: str = "General practice service"


@dataclass(frozen=True)
class Sender:
    """The sending organisation and its MESH mailbox (``MessageHeader.source.endpoint``)."""

    ods_code: str
    name: str
    mailbox: str


@dataclass(frozen=True)
class Practice:
    ods_code: str
    name: str


@dataclass(frozen=True)
class DocumentRequest:
    entry_id: UUID
    campaign_id: UUID
    practice: Practice
    patient: Patient
    content: Content


def _id(entry_id: UUID, part: str) -> str:
    return str(uuid.uuid5(entry_id, part))


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _words(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%-d %b %Y %H:%M (UTC)")


def document_title(content: Content) -> str:
    kind = "Text message" if content.channel == "sms" else "Email"
    return f"{kind} sent to patient"


def render(request: DocumentRequest) -> bytes:
    c = request.content
    return render_pdf(
        PdfText(
            title=document_title(c),
            practice=f"{request.practice.name} ({request.practice.ods_code})",
            campaign=str(request.campaign_id),
            channel=CHANNEL_WORDS[c.channel],
            delivered=_words(c.delivered_at),
            subject=c.subject,
            message_text=c.message_text,
            reference=str(request.entry_id),
            delivered_at=c.delivered_at,
        )
    )


def build_message(
    request: DocumentRequest, sender: Sender, codes: DocumentCodes, pdf: bytes
) -> Json:
    """The ITK3 message Bundle for one entry, as FHIR JSON."""
    e = request.entry_id
    ids = {
        name: _id(e, name)
        for name in ("bundle", "document", "composition", "patient", "practice", "sender", "pdf")
    }
    header = _message_header(request, sender, ids)
    return {
        "resourceType": "Bundle",
        "id": ids["bundle"],
        "meta": {"profile": [STU3 + "ITK-Message-Bundle-1"]},
        "identifier": {"system": RFC4122, "value": str(e)},
        "type": "message",
        "entry": [
            _entry(str(e), header),
            _entry(ids["sender"], _header_organization(ids["sender"], sender)),
            _entry(ids["document"], _document_bundle(request, codes, pdf, ids)),
        ],
    }


def encode(message: Json) -> bytes:
    """The bytes sent to MESH: compact JSON, keys in the order built."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()


def message_bytes(request: DocumentRequest, sender: Sender, codes: DocumentCodes) -> bytes:
    """What MESH is sent for ``request``: its PDF rendered, the message built around it, encoded.
    The sender, the benchmark and the tests all build a request's bytes this one way."""
    return encode(build_message(request, sender, codes, render(request)))


def _entry(resource_id: str, resource: Json) -> Json:
    return {"fullUrl": f"urn:uuid:{resource_id}", "resource": resource}


def _ref(resource_id: str) -> Json:
    return {"reference": f"urn:uuid:{resource_id}"}


def _message_header(request: DocumentRequest, sender: Sender, ids: dict[str, str]) -> Json:
    handling = [
        {"url": "BusAckRequested", "valueBoolean": True},
        {"url": "InfAckRequested", "valueBoolean": True},
        {"url": "RecipientType", "valueCoding": RECIPIENT_TYPE},
        {"url": "MessageDefinition", "valueReference": {"reference": MESSAGE_DEFINITION}},
        {"url": "SenderReference", "valueString": str(request.entry_id)},
        {"url": "LocalExtension", "valueString": "None"},
    ]
    return {
        "resourceType": "MessageHeader",
        "id": str(request.entry_id),
        "meta": {"profile": [STU3 + "ITK-MessageHeader-2"]},
        "extension": [{"url": STU3 + "Extension-ITK-MessageHandling-2", "extension": handling}],
        "event": EVENT,
        "sender": _ref(ids["sender"]),
        "timestamp": _utc(request.content.delivered_at),
        "source": {"endpoint": sender.mailbox},
        "focus": _ref(ids["document"]),
    }


def _header_organization(resource_id: str, sender: Sender) -> Json:
    return _ods_organization(
        resource_id, STU3 + "CareConnect-ITK-Header-Organization-1", sender.ods_code
    )


def _ods_organization(resource_id: str, profile: str, ods_code: str) -> Json:
    """An Organization of ``profile`` identified by its ODS code."""
    return {
        "resourceType": "Organization",
        "id": resource_id,
        "meta": {"profile": [profile]},
        "identifier": [{"system": ODS, "value": ods_code}],
    }


def _document_bundle(
    request: DocumentRequest, codes: DocumentCodes, pdf: bytes, ids: dict[str, str]
) -> Json:
    return {
        "resourceType": "Bundle",
        "id": ids["document"],
        "meta": {
            "lastUpdated": _utc(request.content.delivered_at),
            "profile": [STU3 + "ITK-Document-Bundle-1"],
        },
        "identifier": {"system": RFC4122, "value": ids["document"]},
        "type": "document",
        "entry": [
            _entry(ids["composition"], _composition(request, codes, ids)),
            _entry(ids["patient"], _patient(ids["patient"], request.patient, request.practice)),
            _entry(ids["practice"], _organization(ids["practice"], request.practice)),
            _entry(ids["pdf"], _binary(ids["pdf"], pdf)),
        ],
    }


def _composition(request: DocumentRequest, codes: DocumentCodes, ids: dict[str, str]) -> Json:
    c = request.content
    title = document_title(c)
    return {
        "resourceType": "Composition",
        "id": ids["composition"],
        "meta": {"profile": [CARE_CONNECT + "CareConnect-Composition-1"]},
        "extension": [
            {
                "url": STU3 + "Extension-CareSettingType-1",
                "valueCodeableConcept": {
                    "coding": [
                        {
                            "system": SNOMED,
                            "code": codes.care_setting_code,
                            "display": codes.care_setting_display,
                        }
                    ]
                },
            }
        ],
        "identifier": {"system": RFC4122, "value": ids["composition"]},
        "status": "final",
        "type": {
            "coding": [{"system": SNOMED, "code": codes.type_code, "display": codes.type_display}],
            "text": title,
        },
        "subject": _ref(ids["patient"]),
        "date": _utc(c.delivered_at),
        "author": [_ref(ids["practice"])],
        "title": title,
        "custodian": _ref(ids["practice"]),
        "section": [
            {
                "title": title,
                "text": {"status": "generated", "div": _narrative(request)},
                "entry": [_ref(ids["pdf"])],
            }
        ],
    }


def _narrative(request: DocumentRequest) -> str:
    c = request.content
    rows = [
        ("Practice", f"{request.practice.name} ({request.practice.ods_code})"),
        ("Campaign", str(request.campaign_id)),
        ("Sent by", CHANNEL_WORDS[c.channel]),
        ("Delivered", _words(c.delivered_at)),
    ]
    if c.subject:
        rows.append(("Subject", c.subject))
    rows.append(("Message", c.message_text))
    cells = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f'<div xmlns="http://www.w3.org/1999/xhtml"><table>{cells}</table></div>'


def _patient(resource_id: str, patient: Patient, practice: Practice) -> Json:
    resource: Json = {
        "resourceType": "Patient",
        "id": resource_id,
        "meta": {"profile": [CARE_CONNECT + "CareConnect-Patient-1"]},
        "identifier": [{"system": NHS_NUMBER, "value": patient.nhs_number}],
    }
    if patient.family_name:
        resource["name"] = [{"use": "official", "family": patient.family_name}]
    if patient.birth_date is not None:
        resource["birthDate"] = patient.birth_date.isoformat()
    resource["generalPractitioner"] = [{"identifier": {"system": ODS, "value": practice.ods_code}}]
    return resource


def _organization(resource_id: str, practice: Practice) -> Json:
    return {
        **_ods_organization(
            resource_id, CARE_CONNECT + "CareConnect-Organization-1", practice.ods_code
        ),
        "name": practice.name,
    }


def _binary(resource_id: str, pdf: bytes) -> Json:
    return {
        "resourceType": "Binary",
        "id": resource_id,
        "meta": {"profile": [STU3 + "ITK-Attachment-Binary-1"]},
        "contentType": "application/pdf",
        "content": base64.b64encode(pdf).decode("ascii"),
    }
