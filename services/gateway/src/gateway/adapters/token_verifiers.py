"""Bearer tokens to callers: the OpenID Connect provider's (production) or HS256 development
tokens signed with ``GATEWAY_JWT_SECRET`` (``make run``, ``make token``), which ``issue_token``
signs; and the patient service's own tokens, which open only the patient-link API.

The gateway uses exactly one of them: with ``GATEWAY_OIDC_ISSUER`` set, a development token is
refused like any other token the provider did not sign."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import jwt
from pydantic import BaseModel, ConfigDict, SecretStr

from ..domain.caller import Caller
from ..domain.identity import (
    DEFAULT_AUDIENCE,
    DEFAULT_ISSUER,
    ODS_CODE,
    PATIENT_SERVICE_AUDIENCE,
    SENDER,
    VIEWER,
    TokenRefused,
    caller_from_claims,
    claimed_roles,
    cohort_roles,
)
from .oidc_keys import SigningKeys

DEV_ALGORITHM = "HS256"
DEV_REQUIRED_CLAIMS = ["exp", "sub", "org", "iss", "aud"]
#: RFC 7519 claims every provider token must carry, beyond the signature.
OIDC_REQUIRED_CLAIMS = ["exp", "nbf", "iss", "aud", "sub"]
PATIENT_SERVICE_REQUIRED_CLAIMS = ["exp", "sub", "aud"]


def issue_token(
    secret: str,
    user: str,
    org: str,
    ttl: timedelta = timedelta(hours=8),
    *,
    issuer: str = DEFAULT_ISSUER,
    audience: str = DEFAULT_AUDIENCE,
    roles: list[str] | None = None,
    name: str | None = None,
) -> str:
    """A development token ``DevTokenVerifier`` accepts (``make token``, tests, the demo).
    ``roles`` None: no roles claim, which the gateway takes as a sender; ``name`` the person's
    name, as an OIDC provider's ``name`` claim gives it."""
    if not ODS_CODE.match(org):
        raise ValueError("org must be an ODS code: 3-10 capital letters or digits")
    now = datetime.now(UTC)
    claims = {
        "sub": user,
        "org": org,
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "exp": now + ttl,
    }
    if roles is not None:
        claims["roles"] = roles
    if name is not None:
        claims["name"] = name
    return jwt.encode(claims, secret, algorithm=DEV_ALGORITHM)


def _decode(
    token: str, key: object, algorithms: Sequence[str], **checks: object
) -> dict[str, object]:
    try:
        claims: dict[str, object] = jwt.decode(token, key, algorithms=algorithms, **checks)  # type: ignore[arg-type]
    except jwt.ExpiredSignatureError:
        raise TokenRefused("The token has expired. Sign in again.") from None
    except jwt.ImmatureSignatureError:
        raise TokenRefused("The token is not valid yet ('nbf' is in the future).") from None
    except jwt.MissingRequiredClaimError as exc:
        raise TokenRefused(f"The token has no '{exc.claim}' claim.") from None
    except jwt.InvalidAudienceError:
        raise TokenRefused("The token is not for this service (its 'aud').") from None
    except jwt.InvalidIssuerError:
        raise TokenRefused("The token is from another issuer (its 'iss').") from None
    except jwt.PyJWTError:
        raise TokenRefused("The token is not valid.") from None
    return claims


def is_patient_service_token(token: str, secret: str, leeway_s: float) -> bool:
    """HS256 under ``secret`` (``GATEWAY_PATIENT_SERVICE_SECRET``) with the patient-link
    audience: a staff token never passes, nor does this one anywhere else (its audience is not
    the gateway's)."""
    try:
        _decode(
            token,
            secret,
            [DEV_ALGORITHM],
            audience=PATIENT_SERVICE_AUDIENCE,
            leeway=leeway_s,
            options={"require": PATIENT_SERVICE_REQUIRED_CLAIMS},
        )
    except TokenRefused:
        return False
    return True


class DevTokenRules(BaseModel):
    """What a development token must be: signed with ``jwt_secret``, from ``jwt_issuer``, for
    ``jwt_audience``, allowing ``jwt_leeway_s`` of clock skew. The names are the settings' own
    (``GATEWAY_JWT_*``), so bootstrap reads the rules from the settings by name."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    jwt_secret: SecretStr
    jwt_issuer: str
    jwt_audience: str
    jwt_leeway_s: float


class DevTokenVerifier:
    """HS256 with the shared secret. Without a ``roles`` claim the user is a sender, so that
    development tokens minted before roles existed keep working."""

    def __init__(self, rules: DevTokenRules) -> None:
        self._rules = rules

    async def verify(self, token: str) -> Caller:
        r = self._rules
        claims = _decode(
            token,
            r.jwt_secret.get_secret_value(),
            [DEV_ALGORITHM],
            issuer=r.jwt_issuer,
            audience=r.jwt_audience,
            leeway=r.jwt_leeway_s,
            options={"require": DEV_REQUIRED_CLAIMS},
        )
        held = claimed_roles(claims, "roles") if "roles" in claims else {SENDER}
        roles = cohort_roles(held, senders=[SENDER], viewers=[VIEWER])
        return caller_from_claims(claims, org_claim="org", roles=roles)


class OidcTokenRules(BaseModel):
    """What a provider token must be: signed with one of ``oidc_algorithms``, from
    ``oidc_issuer``, for ``oidc_audience``; and which claims name its organisation and roles.
    The names are the settings' own (``GATEWAY_OIDC_*``), read from them by name."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    oidc_algorithms: tuple[str, ...]
    oidc_issuer: str
    oidc_audience: str
    jwt_leeway_s: float
    oidc_org_claim: str
    oidc_roles_claim: str
    oidc_sender_roles: tuple[str, ...]
    oidc_viewer_roles: tuple[str, ...]


class OidcTokenVerifier:
    """The provider's RS256/ES256 tokens: the algorithm is pinned by configuration (so ``none``
    and HS256 signed with a public key are refused before any key is used), the key is the one
    the header's ``kid`` names in the provider's JWKS and must be of that algorithm, and ``iss``,
    ``aud``, ``exp`` and ``nbf`` must be present and right."""

    def __init__(self, rules: OidcTokenRules, keys: SigningKeys) -> None:
        self._rules = rules
        self._keys = keys

    async def verify(self, token: str) -> Caller:
        r = self._rules
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenRefused("The token is not valid.") from None
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm not in r.oidc_algorithms:
            raise TokenRefused(f"Tokens signed with {algorithm!s:.20} are not accepted.")
        if not isinstance(kid, str) or not kid:
            raise TokenRefused("The token does not name its signing key ('kid').")
        key = await self._keys.get(kid)
        if key is None:
            raise TokenRefused("The token is signed with a key the provider does not publish.")
        if key.algorithm_name != algorithm:
            raise TokenRefused("The token's algorithm does not match its signing key.")
        claims = _decode(
            token,
            key,
            [algorithm],
            issuer=r.oidc_issuer,
            audience=r.oidc_audience,
            leeway=r.jwt_leeway_s,
            options={"require": OIDC_REQUIRED_CLAIMS},
        )
        roles = cohort_roles(
            claimed_roles(claims, r.oidc_roles_claim),
            senders=r.oidc_sender_roles,
            viewers=r.oidc_viewer_roles,
        )
        return caller_from_claims(claims, org_claim=r.oidc_org_claim, roles=roles)
