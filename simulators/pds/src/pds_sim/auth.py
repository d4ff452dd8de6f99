"""OAuth 2 client credentials with a signed-JWT client assertion, as NHS England's identity
service runs it for application-restricted APIs (reference/pds.md section 5).

Error descriptions and statuses are those asserted by the identity service's own e2e tests
(NHSDigital/identity-service-api ``e2e/tests/oauth/test_client_credentials.py``): most are 400,
but a wrong ``aud`` or a bad signature is 401.
"""

import secrets
import string
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from fastapi.responses import JSONResponse

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHM = "RS512"
MAX_EXP_AHEAD_S = 300
CLOCK_SKEW_S = 10
_CLAIMS = "in client_assertion JWT"
_TOKEN_ALPHABET = string.ascii_letters + string.digits


class TokenError(Exception):
    def __init__(self, description: str, *, status: int = 400, error: str = "invalid_request"):
        super().__init__(description)
        self.description = description
        self.status = status
        self.error = error

    def response(self) -> JSONResponse:
        body = {
            "error": self.error,
            "error_description": self.description,
            "message_id": str(uuid.uuid4()),
        }
        return JSONResponse(body, status_code=self.status)


class TokenIssuer:
    """Verifies client assertions, issues bearer tokens and recognises them afterwards."""

    def __init__(
        self,
        public_key: RSAPublicKey,
        audience: str,
        ttl_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._public_key = public_key
        self._audience = audience
        self._ttl = ttl_seconds
        self._clock = clock
        self._tokens: dict[str, float] = {}
        # A jti only needs remembering until its assertion expires; after that exp rejects it.
        self._seen_jti: dict[str, float] = {}

    @classmethod
    def from_pem_file(cls, path: Path, audience: str, ttl_seconds: int) -> "TokenIssuer":
        key = load_pem_public_key(path.read_bytes())
        if not isinstance(key, RSAPublicKey):
            raise ValueError(f"{path} does not hold an RSA public key")
        return cls(key, audience, ttl_seconds)

    def issue(self, form: Mapping[str, str]) -> dict[str, str]:
        """The token response for a valid request; raises ``TokenError`` otherwise."""
        assertion = _check_form(form)
        _check_header(assertion)
        claims = self._verify_signature(assertion)
        now = self._clock()
        jti = self._check_claims(claims, now)
        self._forget_expired(now)
        if jti in self._seen_jti:
            raise TokenError(f"Non-unique 'jti' claim {_CLAIMS}")
        self._seen_jti[jti] = float(claims["exp"]) + CLOCK_SKEW_S
        token = "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(28))
        self._tokens[token] = now + self._ttl
        return {
            "access_token": token,
            "expires_in": str(self._ttl),
            "token_type": "Bearer",
            "issued_at": str(int(now * 1000)),
        }

    def is_valid(self, token: str) -> bool:
        expiry = self._tokens.get(token)
        return expiry is not None and self._clock() < expiry

    def _verify_signature(self, assertion: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                assertion,
                self._public_key,
                algorithms=[ALGORITHM],
                # Claims are checked by hand below, to answer with the identity service's words.
                options={
                    "verify_exp": False,
                    "verify_aud": False,
                    "verify_iss": False,
                    "verify_sub": False,
                    "verify_jti": False,
                },
            )
        except jwt.InvalidSignatureError:
            raise TokenError(
                "JWT signature verification failed due to invalid token", status=401
            ) from None
        except jwt.DecodeError:
            raise TokenError("Malformed JWT in client_assertion") from None
        except jwt.InvalidTokenError as exc:
            raise TokenError(f"Invalid client_assertion JWT - {exc}") from None
        return claims

    def _check_claims(self, claims: Mapping[str, Any], now: float) -> str:
        iss, sub = claims.get("iss"), claims.get("sub")
        if not isinstance(iss, str) or not iss or iss != sub:
            raise TokenError(f"Missing or non-matching 'iss'/'sub' claims {_CLAIMS}")
        jti = claims.get("jti")
        if jti is None:
            raise TokenError(f"Missing 'jti' claim {_CLAIMS}")
        if not isinstance(jti, str) or not jti:
            raise TokenError(
                f"Invalid 'jti' claim {_CLAIMS} - must be a unique string value such as a GUID"
            )
        if claims.get("aud") != self._audience:
            raise TokenError(f"Missing or invalid 'aud' claim {_CLAIMS}", status=401)
        _check_exp(claims.get("exp"), now)
        return jti

    def _forget_expired(self, now: float) -> None:
        self._seen_jti = {jti: until for jti, until in self._seen_jti.items() if until >= now}
        self._tokens = {token: until for token, until in self._tokens.items() if until > now}


def _check_form(form: Mapping[str, str]) -> str:
    grant_type = form.get("grant_type")
    if not grant_type:
        raise TokenError("grant_type is missing")
    if grant_type != "client_credentials":
        raise TokenError("grant_type is invalid", error="unsupported_grant_type")
    if form.get("client_assertion_type") != ASSERTION_TYPE:
        raise TokenError(f"Missing or invalid client_assertion_type - must be '{ASSERTION_TYPE}'")
    assertion = form.get("client_assertion")
    if not assertion:
        raise TokenError("Missing client_assertion")
    return assertion


def _check_header(assertion: str) -> None:
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.DecodeError:
        raise TokenError("Malformed JWT in client_assertion") from None
    if not header.get("kid"):
        raise TokenError(f"Missing 'kid' header {_CLAIMS}")
    if header.get("typ") != "JWT":
        raise TokenError(f"Invalid 'typ' header {_CLAIMS} - must be 'JWT'")
    if header.get("alg") != ALGORITHM:
        raise TokenError(
            f"Invalid 'alg' header {_CLAIMS} - unsupported JWT algorithm - must be '{ALGORITHM}'"
        )


def _check_exp(exp: object, now: float) -> None:
    if exp is None:
        raise TokenError(f"Missing 'exp' claim {_CLAIMS}")
    if not isinstance(exp, int) or isinstance(exp, bool):
        raise TokenError(f"Invalid 'exp' claim {_CLAIMS} - must be an integer")
    # The identity service allows 5 minutes ahead plus 10 s of clock skew, and the same skew behind.
    if exp > now + MAX_EXP_AHEAD_S + CLOCK_SKEW_S:
        raise TokenError(f"Invalid 'exp' claim {_CLAIMS} - more than 5 minutes in future")
    if exp < now - CLOCK_SKEW_S:
        raise TokenError(f"Invalid 'exp' claim {_CLAIMS} - JWT has expired")
