"""What arrives in Cohort's MESH inbox, and what it means for an entry.

Two kinds (reference/record.md §1, §4):

- MESH **REPORTs** (``Mex-MessageType: REPORT``, empty body): a message MESH could not deliver or
  route. ``Mex-LinkedMsgID`` names our MESH message; the status code and description say why
  (``14`` undelivered/not collected; ``12`` unregistered recipient; routing errors ``EPL-150`` …
  ``EPL-154`` for ``GPPROVIDER_`` addresses).
- ITK3 **response messages** (DATA on ``GPCONNECT_SEND_DOCUMENT_ACK``): a FHIR message whose
  ``MessageHeader`` carries our ``SenderReference`` (the entry id; ``response.identifier`` is our
  ``MessageHeader.id``, also the entry id) and whose ``OperationOutcome`` carries the ITK code.
  Infrastructure: 10001 to 20015, **20013 = received**; business: **30001 patient known** (and
  30004 recently deceased) = in the practice workflow for filing, 30002 not known and 30003 no
  longer registered = not saved. Negative codes are final (ITK3 response codes).
  20007/20008 (duplicate message/document) answer a resend of a message the practice already
  has: they change nothing, the original's acknowledgements decide."""

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from cohort_contracts.record import RecordReason

ITK_RESPONSE_CODES = "https://fhir.nhs.uk/STU3/CodeSystem/ITK-ResponseCodes-1"
INFRASTRUCTURE_OK = "20013"
FILED_CODES = frozenset({"30001", "30004"})
NOT_REGISTERED_CODES = frozenset({"30002", "30003"})
DUPLICATE_CODES = frozenset({"20007", "20008"})

#: MESH routing errors for ``GPPROVIDER_`` addresses (MESH guidance: endpoint lookup).
EPL_REASONS: dict[str, RecordReason] = {
    "EPL-150": RecordReason.NO_GP_MAILBOX,  # several mailboxes for the practice
    "EPL-151": RecordReason.NO_GP_MAILBOX,  # no mailbox for the practice
    "EPL-152": RecordReason.PATIENT_NOT_FOUND,  # invalid NHS number
    "EPL-153": RecordReason.PATIENT_NOT_FOUND,  # not found on the Spine
    "EPL-154": RecordReason.PATIENT_NOT_FOUND,  # demographics do not match
}
#: MESH error codes in REPORTs (MESH API: error reports).
MESH_REPORT_REASONS: dict[str, RecordReason] = {
    "14": RecordReason.NOT_COLLECTED,
    "12": RecordReason.NO_GP_MAILBOX,
}

Effect = Literal["acknowledged", "filed", "failed", "ignored"]


@dataclass(frozen=True)
class InboxMessage:
    """One message from Cohort's inbox, as the MESH adapter read it."""

    message_id: str
    message_type: str
    workflow_id: str | None
    local_id: str | None
    linked_message_id: str | None
    status_code: str | None
    status_description: str | None
    body: bytes


@dataclass(frozen=True)
class Response:
    """What a message says about one entry. ``reference``: our entry id (ITK SenderReference,
    or a REPORT's ``Mex-LocalID``); ``mesh_message_id``: our MESH message (a REPORT's linked
    id). ``detail`` is a code, never patient data."""

    effect: Effect
    reference: str | None
    mesh_message_id: str | None = None
    reason: RecordReason | None = None
    detail: str | None = None


#: What a code from outside (an ITK response code, a MESH status code) may look like to be
#: logged and kept as a response's detail; the practice's system or MESH writes it, so anything
#: else is named only as unrecognised, never repeated.
_CODE = re.compile(r"[0-9A-Za-z_-]{1,20}")


def _shown(prefix: str, code: str) -> str:
    return f"{prefix} {code}" if _CODE.fullmatch(code) else f"{prefix} (unrecognised code)"


class UnreadableResponse(Exception):
    """Not a MESH report nor an ITK3 response we can read."""


def read_inbox_message(message: InboxMessage) -> Response:
    if (message.message_type or "").upper() == "REPORT":
        return read_report(message)
    return read_itk_response(message.body)


def read_report(message: InboxMessage) -> Response:
    text = f"{message.status_code or ''} {message.status_description or ''}".upper()
    epl = next((code for code in EPL_REASONS if code in text), None)
    if epl is not None:
        reason, detail = EPL_REASONS[epl], epl
    else:
        code = (message.status_code or "").strip()
        reason = MESH_REPORT_REASONS.get(code, RecordReason.SEND_ERROR)
        detail = _shown("MESH", code) if code else "MESH report"
    return Response(
        effect="failed",
        reference=message.local_id,
        mesh_message_id=message.linked_message_id,
        reason=reason,
        detail=detail,
    )


def read_itk_response(body: bytes) -> Response:
    try:
        bundle = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise UnreadableResponse("not JSON") from exc
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise UnreadableResponse("not a FHIR Bundle")
    resources = [e.get("resource") for e in bundle.get("entry", []) if isinstance(e, dict)]
    header = _first(resources, "MessageHeader")
    if header is None:
        raise UnreadableResponse("no MessageHeader")
    reference = _sender_reference(header) or _response_identifier(header)
    codes = _itk_codes(resources)
    if not codes:
        raise UnreadableResponse("no ITK response code")
    return interpret(codes, reference)


def interpret(codes: list[str], reference: str | None) -> Response:
    """Business codes outrank infrastructure ones when a response carries both."""
    for code in codes:
        if code in FILED_CODES:
            return Response("filed", reference, detail=f"ITK {code}")
        if code in NOT_REGISTERED_CODES:
            return Response(
                "failed", reference, reason=RecordReason.NOT_REGISTERED_HERE, detail=f"ITK {code}"
            )
    code = codes[0]
    if code == INFRASTRUCTURE_OK:
        return Response("acknowledged", reference, detail=f"ITK {code}")
    if code in DUPLICATE_CODES:
        return Response("ignored", reference, detail=f"ITK {code}")
    return Response("failed", reference, reason=RecordReason.REJECTED, detail=_shown("ITK", code))


def _first(resources: list[Any], kind: str) -> dict[str, Any] | None:
    for resource in resources:
        if isinstance(resource, dict) and resource.get("resourceType") == kind:
            return resource
    return None


def _sender_reference(header: dict[str, Any]) -> str | None:
    for extension in header.get("extension", []):
        for inner in extension.get("extension", []) if isinstance(extension, dict) else []:
            if isinstance(inner, dict) and inner.get("url") == "SenderReference":
                value = inner.get("valueString")
                if isinstance(value, str) and value and value != "None":
                    return value
    return None


def _response_identifier(header: dict[str, Any]) -> str | None:
    response = header.get("response")
    if isinstance(response, dict) and isinstance(response.get("identifier"), str):
        return str(response["identifier"])
    return None


def _itk_codes(resources: list[Any]) -> list[str]:
    codes: list[str] = []
    for resource in resources:
        if not isinstance(resource, dict) or resource.get("resourceType") != "OperationOutcome":
            continue
        for issue in resource.get("issue", []):
            details = issue.get("details", {}) if isinstance(issue, dict) else {}
            for coding in details.get("coding", []) if isinstance(details, dict) else []:
                if isinstance(coding, dict) and coding.get("system") == ITK_RESPONSE_CODES:
                    codes.append(str(coding.get("code")))
    return codes
