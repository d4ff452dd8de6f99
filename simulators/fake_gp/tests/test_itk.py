"""``check_document``: what a receiving GP system accepts and why it refuses the rest;
``response_message``: the ITK3 response it answers with."""

import base64
import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from fake_gp.itk import ITK_RESPONSE_CODES, InvalidDocument, check_document, response_message

from .builders import (
    HEADER_ID,
    NHS_NUMBER,
    TEXT,
    encode,
    handling,
    inner,
    resource,
    send_document,
    tiny_pdf,
)

Change = Callable[[dict[str, Any]], None]


def test_a_valid_message_passes_with_its_references_nhs_number_and_pdf_text() -> None:
    body = encode(
        send_document(nhs_number="9434765919", sender_reference="entry-42", pdf=tiny_pdf("Hi"))
    )

    document = check_document(body)

    assert document.sender_reference == "entry-42"
    assert document.header_id == HEADER_ID
    assert document.nhs_number == "9434765919"
    assert document.pdf_text == "Hi"


def test_the_default_message_carries_the_default_text() -> None:
    assert check_document(encode(send_document())).pdf_text == TEXT


def _header(message: dict[str, Any]) -> dict[str, Any]:
    return resource(message, "MessageHeader")


def _not_a_message(message: dict[str, Any]) -> None:
    message["type"] = "document"


def _not_a_bundle(message: dict[str, Any]) -> None:
    message["resourceType"] = "Parameters"


def _event(message: dict[str, Any]) -> None:
    _header(message)["event"]["code"] = "ITK008M"


def _no_inf_ack(message: dict[str, Any]) -> None:
    handling(_header(message), "InfAckRequested")["valueBoolean"] = False


def _inf_ack_missing(message: dict[str, Any]) -> None:
    extensions = _header(message)["extension"][0]["extension"]
    extensions[:] = [e for e in extensions if e["url"] != "InfAckRequested"]


def _inf_ack_not_a_boolean(message: dict[str, Any]) -> None:
    handling(_header(message), "InfAckRequested")["valueBoolean"] = "yes"


def _no_bus_ack(message: dict[str, Any]) -> None:
    handling(_header(message), "BusAckRequested")["valueBoolean"] = False


def _event_not_an_object(message: dict[str, Any]) -> None:
    _header(message)["event"] = "ITK007C"


def _nhs_number_without_value(message: dict[str, Any]) -> None:
    patient = resource(inner(message), "Patient")
    patient["identifier"] = [{"system": NHS_NUMBER}]


def _empty_sender_reference(message: dict[str, Any]) -> None:
    handling(_header(message), "SenderReference")["valueString"] = ""


def _sender_reference_missing(message: dict[str, Any]) -> None:
    extensions = _header(message)["extension"][0]["extension"]
    extensions[:] = [e for e in extensions if e["url"] != "SenderReference"]


def _focus_elsewhere(message: dict[str, Any]) -> None:
    _header(message)["focus"]["reference"] = "urn:uuid:elsewhere"


def _focus_not_a_document(message: dict[str, Any]) -> None:
    inner(message)["type"] = "collection"


def _composition_preliminary(message: dict[str, Any]) -> None:
    resource(inner(message), "Composition")["status"] = "preliminary"


def _no_nhs_number(message: dict[str, Any]) -> None:
    resource(inner(message), "Patient")["identifier"] = []


def _nhs_number_of_another_system(message: dict[str, Any]) -> None:
    resource(inner(message), "Patient")["identifier"][0]["system"] = "https://example.org/mrn"


def _two_nhs_numbers(message: dict[str, Any]) -> None:
    patient = resource(inner(message), "Patient")
    patient["identifier"].append({"system": NHS_NUMBER, "value": "9000000009"})


def _not_a_pdf(message: dict[str, Any]) -> None:
    resource(inner(message), "Binary")["contentType"] = "text/plain"


def _unreadable_pdf(message: dict[str, Any]) -> None:
    resource(inner(message), "Binary")["content"] = base64.b64encode(b"not a PDF").decode()


def _no_pdf_content(message: dict[str, Any]) -> None:
    del resource(inner(message), "Binary")["content"]


def _two_compositions(message: dict[str, Any]) -> None:
    document = inner(message)
    second = copy.deepcopy(document["entry"][0])
    second["resource"]["id"] = second["fullUrl"] = "another"
    document["entry"].append(second)


def _two_message_headers(message: dict[str, Any]) -> None:
    message["entry"].append(copy.deepcopy(message["entry"][0]))


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        (_not_a_message, "not a message Bundle"),
        (_not_a_bundle, "not a message Bundle"),
        (_two_message_headers, "expected one MessageHeader, found 2"),
        (_event, "event is not ITK007C"),
        (_no_inf_ack, "no infrastructure ack requested"),
        (_inf_ack_missing, "no infrastructure ack requested"),
        (_inf_ack_not_a_boolean, "no infrastructure ack requested"),
        (_no_bus_ack, "no business ack requested"),
        (_event_not_an_object, "malformed message (AttributeError)"),
        (_nhs_number_without_value, "malformed message (KeyError)"),
        (_empty_sender_reference, "no SenderReference"),
        (_sender_reference_missing, "no SenderReference"),
        (_focus_elsewhere, "focus is not a document Bundle"),
        (_focus_not_a_document, "focus is not a document Bundle"),
        (_composition_preliminary, "Composition is not final"),
        (_no_nhs_number, "no NHS number"),
        (_nhs_number_of_another_system, "no NHS number"),
        (_two_nhs_numbers, "expected one NHS number, found 2"),
        (_not_a_pdf, "attachment is not a PDF"),
        (_unreadable_pdf, "PDF unreadable"),
        (_no_pdf_content, "PDF unreadable"),
        (_two_compositions, "expected one Composition, found 2"),
    ],
)
def test_each_refusal_gives_its_reason(change: Change, refusal: str) -> None:
    message = send_document()
    check_document(encode(message))  # sound as built
    change(message)

    with pytest.raises(InvalidDocument) as refused:
        check_document(encode(message))

    assert str(refused.value) == refusal


@pytest.mark.parametrize("body", [b"", b"{not json", b"\xff\xfe{}"])
def test_a_body_that_is_not_json_is_refused(body: bytes) -> None:
    with pytest.raises(InvalidDocument) as refused:
        check_document(body)

    assert str(refused.value) == "not JSON"


@pytest.mark.parametrize("body", [b"[]", b'"Bundle"', b"42", b"null"])
def test_json_that_is_not_an_object_is_not_a_message_bundle(body: bytes) -> None:
    with pytest.raises(InvalidDocument) as refused:
        check_document(body)

    assert str(refused.value) == "not a message Bundle"


def _response(code: str, **overrides: str) -> dict[str, Any]:
    arguments = {
        "sender_reference": "entry-42",
        "header_id": HEADER_ID,
        "code": code,
        "source_mailbox": "A81001GP1",
        **overrides,
    }
    body: dict[str, Any] = json.loads(response_message(**arguments))
    return body


@pytest.mark.parametrize(
    ("code", "response_code", "display"),
    [
        ("20013", "ok", "Success"),
        ("30001", "ok", "Patient known here"),
        ("20009", "fatal-error", "Payload invalid"),
        ("30002", "fatal-error", "Patient not known here"),
        ("30003", "fatal-error", "Patient no longer registered here"),
    ],
)
def test_a_response_answers_the_message_with_its_code(
    code: str, response_code: str, display: str
) -> None:
    bundle = _response(code)
    header = resource(bundle, "MessageHeader")
    outcome = resource(bundle, "OperationOutcome")

    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "message")
    assert bundle["entry"][0]["resource"]["resourceType"] == "MessageHeader"
    assert header["event"]["code"] == "ITK008M"
    assert header["response"]["identifier"] == HEADER_ID
    assert header["response"]["code"] == response_code
    assert header["source"]["endpoint"] == "A81001GP1"
    assert handling(header, "SenderReference")["valueString"] == "entry-42"
    assert handling(header, "InfAckRequested")["valueBoolean"] is False
    assert handling(header, "BusAckRequested")["valueBoolean"] is False
    [issue] = outcome["issue"]
    assert issue["severity"] == ("information" if response_code == "ok" else "fatal")
    assert issue["details"]["coding"] == [
        {"system": ITK_RESPONSE_CODES, "code": code, "display": display}
    ]


def test_the_response_details_point_at_its_operation_outcome() -> None:
    bundle = _response("20013")
    header = resource(bundle, "MessageHeader")
    urls = {e["fullUrl"]: e["resource"]["resourceType"] for e in bundle["entry"]}

    assert urls[header["response"]["details"]["reference"]] == "OperationOutcome"
    assert urls[header["sender"]["reference"]] == "Organization"
    assert all(e["fullUrl"] == f"urn:uuid:{e['resource']['id']}" for e in bundle["entry"])


def test_an_unknown_code_is_a_fatal_error_displayed_as_itself() -> None:
    bundle = _response("99999")

    assert resource(bundle, "MessageHeader")["response"]["code"] == "fatal-error"
    coding = resource(bundle, "OperationOutcome")["issue"][0]["details"]["coding"][0]
    assert (coding["code"], coding["display"]) == ("99999", "99999")


def test_each_response_is_a_new_message() -> None:
    first, second = _response("20013"), _response("20013")

    assert first["id"] != second["id"]
    assert resource(first, "MessageHeader")["id"] != resource(second, "MessageHeader")["id"]


def test_a_response_is_not_taken_for_a_document() -> None:
    body = response_message(
        sender_reference="entry-42", header_id=HEADER_ID, code="20013", source_mailbox="A"
    )

    with pytest.raises(InvalidDocument) as refused:
        check_document(body)

    assert str(refused.value) == "event is not ITK007C"
