"""A GP Connect Send Document message built by hand from the ITK3 specification (the fake GP
system does not depend on the record service, whose builder it checks), with a real PDF."""

import base64
import json
from typing import Any

STU3 = "https://fhir.nhs.uk/STU3/StructureDefinition/"
HANDLING = STU3 + "Extension-ITK-MessageHandling-2"
NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
HEADER_ID = "5b0c6c55-0f37-5a3a-9a52-3a4b7b1d2c11"
DOCUMENT_URL = "urn:uuid:1e7e5247-14b2-503c-b216-0db5e0915f9b"
TEXT = "Your flu jab is due"


def tiny_pdf(text: str = TEXT) -> bytes:
    """A one-page PDF showing ``text`` in Helvetica, its cross-reference table exact."""
    content = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200]"
        b" /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(pdf)


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}


def send_document(
    *,
    nhs_number: str = "9434765919",
    sender_reference: str = HEADER_ID,
    header_id: str = HEADER_ID,
    pdf: bytes | None = None,
) -> dict[str, Any]:
    """An ITK3 message Bundle (ITK007C, both acks requested) whose focus is a document Bundle:
    a final Composition about a Patient with ``nhs_number``, and the PDF as a Binary."""
    header = {
        "resourceType": "MessageHeader",
        "id": header_id,
        "extension": [
            {
                "url": HANDLING,
                "extension": [
                    {"url": "BusAckRequested", "valueBoolean": True},
                    {"url": "InfAckRequested", "valueBoolean": True},
                    {"url": "SenderReference", "valueString": sender_reference},
                    {"url": "LocalExtension", "valueString": "None"},
                ],
            }
        ],
        "event": {
            "system": "https://fhir.nhs.uk/STU3/CodeSystem/ITK-MessageEvent-2",
            "code": "ITK007C",
        },
        "source": {"endpoint": "X26COHORT1"},
        "focus": {"reference": DOCUMENT_URL},
    }
    composition = {
        "resourceType": "Composition",
        "id": "d5510706-d35e-582e-95e5-93202f237216",
        "status": "final",
        "subject": {"reference": "urn:uuid:9191402e-319c-5940-8d29-f220748e2498"},
    }
    patient = {
        "resourceType": "Patient",
        "id": "9191402e-319c-5940-8d29-f220748e2498",
        "identifier": [{"system": NHS_NUMBER, "value": nhs_number}],
    }
    binary = {
        "resourceType": "Binary",
        "id": "3224d7ce-16de-5545-b3ad-60414030fd1d",
        "contentType": "application/pdf",
        "content": base64.b64encode(tiny_pdf() if pdf is None else pdf).decode(),
    }
    document = {
        "resourceType": "Bundle",
        "id": DOCUMENT_URL.removeprefix("urn:uuid:"),
        "type": "document",
        "entry": [_entry(r) for r in (composition, patient, binary)],
    }
    return {
        "resourceType": "Bundle",
        "id": "e5989a1c-ba3c-5e75-a292-30d38e01adcd",
        "type": "message",
        "entry": [_entry(header), _entry(document)],
    }


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message).encode()


def resource(bundle: dict[str, Any], kind: str) -> dict[str, Any]:
    """The first resource of ``kind`` in ``bundle``."""
    return next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind)


def handling(header: dict[str, Any], url: str) -> dict[str, Any]:
    """One part of a MessageHeader's ITK message handling extension."""
    return next(e for e in header["extension"][0]["extension"] if e["url"] == url)


def inner(message: dict[str, Any]) -> dict[str, Any]:
    """The document Bundle inside a message Bundle."""
    return resource(message, "Bundle")


def answered(body: bytes) -> tuple[str, str, str]:
    """An ITK response's (code, SenderReference, response.identifier)."""
    response = json.loads(body)
    header = resource(response, "MessageHeader")
    outcome = resource(response, "OperationOutcome")
    code = outcome["issue"][0]["details"]["coding"][0]["code"]
    reference = handling(header, "SenderReference")["valueString"]
    return str(code), str(reference), str(header["response"]["identifier"])
