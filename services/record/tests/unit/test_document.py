"""The GP Connect Send Document message against golden files (``tests/golden``). The PDF bytes
depend on fpdf2's version, so the golden message holds a placeholder for them and the PDF is
compared by its text. ``UPDATE_GOLDEN=1`` rewrites the files after a deliberate change."""

import base64
import copy
import io
import json
import os
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from fake_gp.itk import InvalidDocument, check_document
from record.domain.document import (
    DocumentCodes,
    DocumentRequest,
    Practice,
    Sender,
    build_message,
    encode,
    message_bytes,
    render,
)
from record.domain.model import Content, Patient

from ..builders import DELIVERED_AT

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
ENTRY = uuid.UUID("5b0c6c55-0f37-5a3a-9a52-3a4b7b1d2c11")
CAMPAIGN = uuid.UUID("0d5e7b8a-2a41-4e3c-8f0e-6f3c2b1a9e77")
SENDER = Sender("X26", "Cohort", "X26COHORT1")


def request(
    channel: str = "sms", subject: str | None = None, text: str | None = None
) -> DocumentRequest:
    return DocumentRequest(
        entry_id=ENTRY,
        campaign_id=CAMPAIGN,
        practice=Practice("A81001", "Example Surgery"),
        patient=Patient("9434765919", "Smith", date(1980, 2, 29)),
        content=Content(
            channel,  # type: ignore[arg-type]
            text or "Hello Olivia, your flu jab is due. Book at the surgery: 01234 567890.",
            subject,
            DELIVERED_AT,
        ),
    )


def without_pdf(message: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """The message with the PDF's base64 replaced by a placeholder, and the PDF."""
    document = message["entry"][2]["resource"]
    binary = document["entry"][3]["resource"]
    pdf = base64.b64decode(binary["content"])
    binary["content"] = "<PDF>"
    return message, pdf


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages) + "\n"


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(actual)
    assert actual == path.read_text()


@pytest.mark.parametrize(
    ("name", "channel", "subject"),
    [("sms", "sms", None), ("email", "email", "Your flu jab")],
)
def test_the_message_matches_its_golden_file(name: str, channel: str, subject: str | None) -> None:
    req = request(channel, subject)
    message, pdf = without_pdf(build_message(req, SENDER, DocumentCodes(), render(req)))
    check_golden(f"{name}-message.json", json.dumps(message, indent=2, ensure_ascii=False) + "\n")
    check_golden(f"{name}-document.txt", pdf_text(pdf))


def test_the_same_entry_builds_the_same_bytes_every_time() -> None:
    req = request()
    first = message_bytes(req, SENDER, DocumentCodes())
    again = message_bytes(req, SENDER, DocumentCodes())
    assert first == again
    assert len(first) < 20_000  # the ITK3 recommended limit is 5 MB


def test_a_receiving_system_accepts_it() -> None:
    req = request()
    body = message_bytes(req, SENDER, DocumentCodes())
    document = check_document(body)
    assert document.sender_reference == str(ENTRY)
    assert document.header_id == str(ENTRY)
    assert document.nhs_number == "9434765919"


def _resource(bundle: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind)


def _document(message: dict[str, Any]) -> dict[str, Any]:
    return _resource(message, "Bundle")


def _handling(message: dict[str, Any], url: str) -> dict[str, Any]:
    header = _resource(message, "MessageHeader")
    handling = header["extension"][0]["extension"]
    return next(e for e in handling if e["url"] == url)


def _breaks(change: str, message: dict[str, Any]) -> None:
    document = _document(message)
    match change:
        case "event":
            _resource(message, "MessageHeader")["event"]["code"] = "ITK008M"
        case "infrastructure ack":
            _handling(message, "InfAckRequested")["valueBoolean"] = False
        case "sender reference":
            _handling(message, "SenderReference")["valueString"] = ""
        case "focus":
            _resource(message, "MessageHeader")["focus"]["reference"] = "urn:uuid:elsewhere"
        case "composition status":
            _resource(document, "Composition")["status"] = "preliminary"
        case "nhs number":
            _resource(document, "Patient")["identifier"] = []
        case "content type":
            _resource(document, "Binary")["contentType"] = "text/plain"
        case "pdf":
            _resource(document, "Binary")["content"] = base64.b64encode(b"not a PDF").decode()


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ("event", "event is not ITK007C"),
        ("infrastructure ack", "no infrastructure ack requested"),
        ("sender reference", "no SenderReference"),
        ("focus", "focus is not a document Bundle"),
        ("composition status", "Composition is not final"),
        ("nhs number", "no NHS number"),
        ("content type", "attachment is not a PDF"),
        ("pdf", "PDF unreadable"),
    ],
)
def test_the_receiving_system_refuses_a_message_a_real_one_would(change: str, refusal: str) -> None:
    """The fake GP system is only worth testing against if it refuses what a real one would:
    each check, broken alone in the message this service builds, is refused for that reason."""
    req = request()
    # A copy: the builder shares its constant parts (codings) between the messages it builds.
    message = copy.deepcopy(build_message(req, SENDER, DocumentCodes(), render(req)))
    check_document(encode(message))  # sound as built
    _breaks(change, message)
    with pytest.raises(InvalidDocument) as refused:
        check_document(encode(message))
    assert str(refused.value) == refusal


def test_text_the_pdf_fonts_cannot_show_is_exact_in_the_narrative() -> None:
    text = "Caf\u00e9 open 9\u20135 \u2713 \u00a310"
    req = request(text=text)
    message = build_message(req, SENDER, DocumentCodes(), render(req))
    composition = message["entry"][2]["resource"]["entry"][0]["resource"]
    assert text in composition["section"][0]["text"]["div"]
    assert "Café open 9?5 ? £10" in pdf_text(render(req))


def test_markup_in_the_message_is_escaped_in_the_narrative() -> None:
    req = request(text="<script>alert(1)</script> & more")
    message = build_message(req, SENDER, DocumentCodes(), render(req))
    div = message["entry"][2]["resource"]["entry"][0]["resource"]["section"][0]["text"]["div"]
    assert "<script>" not in div
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in div
