"""Who a verified token says the caller is: the organisation and role claims mapped to Cohort's
organisations (ODS codes) and roles. A sender may compose and send; a viewer may only read."""

import re
from collections.abc import Iterable, Mapping
from typing import Final

from .caller import Caller

SENDER: Final = "sender"
VIEWER: Final = "viewer"
ODS_CODE = re.compile(r"^[A-Z0-9]{3,10}$")
#: The longest name a request carries (``Request.actor_name``).
NAME_LENGTH: Final = 200
#: The issuer and audience of development tokens, and the provider audience by default.
DEFAULT_ISSUER: Final = "cohort"
DEFAULT_AUDIENCE: Final = "cohort-gateway"
#: The patient service's tokens: their own key and audience, so that they open only the
#: patient-link API and a staff token never opens it.
PATIENT_SERVICE_AUDIENCE: Final = "cohort-patient-links"


class TokenRefused(Exception):
    """The token cannot be trusted or does not name a user and an organisation (401)."""


def caller_from_claims(
    claims: Mapping[str, object],
    *,
    org_claim: str,
    roles: frozenset[str],
) -> Caller:
    user, org = claims.get("sub"), claims.get(org_claim)
    if not isinstance(user, str) or not user:
        raise TokenRefused("The token's 'sub' claim is not a user id.")
    if not isinstance(org, str) or not ODS_CODE.match(org):
        raise TokenRefused(f"The token's '{org_claim}' claim is not an ODS code.")
    return Caller(user_id=user, org_id=org, roles=roles, user_name=_name(claims.get("name")))


def _name(claim: object) -> str | None:
    """OIDC's ``name`` claim, for staff to read where this user is named: any string, trimmed
    and cut to what the requests carry; no name (or not a string) is None, never a refusal."""
    if not isinstance(claim, str) or not claim.strip():
        return None
    return claim.strip()[:NAME_LENGTH]


def claimed_roles(claims: Mapping[str, object], claim: str) -> set[str]:
    """A roles claim as a set: a JSON list of strings, or one space-separated string (as OAuth
    ``scope`` is written). Anything else counts as no roles."""
    value = claims.get(claim)
    if isinstance(value, str):
        return set(value.split())
    if isinstance(value, list):
        return {item for item in value if isinstance(item, str)}
    return set()


def cohort_roles(
    provider_roles: Iterable[str], *, senders: Iterable[str], viewers: Iterable[str]
) -> frozenset[str]:
    """The provider's role values mapped to Cohort's; a sender may also view."""
    held = set(provider_roles)
    if held & set(senders):
        return frozenset({SENDER, VIEWER})
    if held & set(viewers):
        return frozenset({VIEWER})
    return frozenset()
