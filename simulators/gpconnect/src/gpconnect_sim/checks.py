"""What GP Connect providers check on every request before answering it: the Spine Secure Proxy
headers (``Ssp-TraceID``, ``Ssp-From``, ``Ssp-To``, ``Ssp-InteractionID`` consistent with the
endpoint) and the unsigned JWT bearer token that carries audit and provenance (``alg: none``,
the claims of "Cross-organisation audit and provenance", ``requested_scope`` per endpoint)."""

import time
import uuid
from collections.abc import Mapping

import jwt

from .schedule import Fault

INTERACTION = "urn:nhs:names:services:gpconnect:fhir:rest:"
INTERACTIONS = {
    "search_slots": (INTERACTION + "search:slot-1", "organization/*.read"),
    "search_patient": (INTERACTION + "search:patient-1", "patient/*.read"),
    "book": (INTERACTION + "create:appointment-1", "patient/*.write"),
    "read": (INTERACTION + "read:appointment-1", "patient/*.read"),
    "amend": (INTERACTION + "update:appointment-1", "patient/*.write"),
    "cancel": (INTERACTION + "cancel:appointment-1", "patient/*.write"),
    "patient_appointments": (INTERACTION + "search:patient_appointments-1", "patient/*.read"),
}
REQUIRED_CLAIMS = (
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "reason_for_request",
    "requested_scope",
    "requesting_device",
    "requesting_organization",
    "requesting_practitioner",
)


def bad_request(diagnostics: str) -> Fault:
    return Fault(400, "BAD_REQUEST", "invalid", diagnostics)


def check_headers(headers: Mapping[str, str], asid: str, interactions: tuple[str, ...]) -> str:
    """The interaction the headers name (one of ``interactions``); raises ``Fault``."""
    for name in ("Ssp-TraceID", "Ssp-From", "Ssp-To", "Ssp-InteractionID"):
        if not headers.get(name, "").strip():
            raise bad_request(f"The {name} header is missing")
    try:
        uuid.UUID(headers["Ssp-TraceID"])
    except ValueError:
        raise bad_request("Ssp-TraceID must be a UUID") from None
    if headers["Ssp-To"] != asid:
        raise Fault(403, "ACCESS_DENIED", "forbidden", "Ssp-To does not name this provider's ASID")
    named = headers["Ssp-InteractionID"]
    for kind in interactions:
        if INTERACTIONS[kind][0] == named:
            return kind
    raise bad_request("Ssp-InteractionID does not match the request")


def check_token(headers: Mapping[str, str], kind: str) -> None:
    scheme, _, token = headers.get("Authorization", "").partition(" ")
    if scheme != "Bearer" or not token:
        raise bad_request("An Authorization: Bearer JWT is required")
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        raise bad_request("The bearer token is not a JWT") from None
    if header.get("alg") != "none" or not token.endswith("."):
        raise bad_request("The JWT must be unsigned (alg none, empty signature)")
    _check_claims(claims, kind)


def _check_claims(claims: dict[str, object], kind: str) -> None:
    for claim in REQUIRED_CLAIMS:
        if not claims.get(claim):
            raise bad_request(f"Empty JWT {claim} claim")
    now = time.time()
    exp, iat = claims["exp"], claims["iat"]
    if not isinstance(exp, int) or not isinstance(iat, int) or exp - iat != 300:
        raise bad_request("JWT exp must be iat + 300 seconds")
    if exp <= now:
        raise bad_request("The JWT has expired")
    if claims["reason_for_request"] != "directcare":
        raise bad_request("JWT reason_for_request must be directcare")
    if claims["requested_scope"] != INTERACTIONS[kind][1]:
        raise bad_request(f"JWT requested_scope must be {INTERACTIONS[kind][1]} here")
    org = claims["requesting_organization"]
    if not isinstance(org, dict) or not org.get("identifier"):
        raise bad_request("JWT requesting_organization needs an ODS identifier")
    practitioner = claims["requesting_practitioner"]
    if not isinstance(practitioner, dict) or practitioner.get("id") != claims["sub"]:
        raise bad_request("JWT requesting_practitioner.id must equal sub")
