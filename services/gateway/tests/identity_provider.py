"""An OpenID Connect provider in memory for the gateway's tests: keys generated here, its
discovery document and JWKS served through an ``httpx2.MockTransport`` that counts fetches, and
tokens signed as a provider signs them."""

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

ISSUER = "https://idp.test/realms/nhs"
AUDIENCE = "cohort-gateway"
JWKS_URL = "https://idp.test/keys"

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass
class SigningKey:
    kid: str
    algorithm: str
    private: PrivateKey

    @classmethod
    def rsa(cls) -> "SigningKey":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return cls(f"rsa-{uuid.uuid4().hex[:8]}", "RS256", private)

    @classmethod
    def ec(cls) -> "SigningKey":
        return cls(f"ec-{uuid.uuid4().hex[:8]}", "ES256", ec.generate_private_key(ec.SECP256R1()))

    def jwk(self) -> dict[str, Any]:
        public = self.private.public_key()
        encoded = (
            RSAAlgorithm.to_jwk(public, as_dict=True)
            if isinstance(public, rsa.RSAPublicKey)
            else ECAlgorithm.to_jwk(public, as_dict=True)
        )
        return encoded | {"kid": self.kid, "use": "sig", "alg": self.algorithm}


@dataclass
class Provider:
    keys: list[SigningKey] = field(default_factory=lambda: [SigningKey.rsa()])
    fetches: int = 0
    discoveries: int = 0
    down: bool = False

    def transport(self) -> httpx2.MockTransport:
        def respond(request: httpx2.Request) -> httpx2.Response:
            if self.down:
                return httpx2.Response(503)
            url = str(request.url)
            if url == ISSUER + "/.well-known/openid-configuration":
                self.discoveries += 1
                return httpx2.Response(200, json={"issuer": ISSUER, "jwks_uri": JWKS_URL})
            if url == JWKS_URL:
                self.fetches += 1
                return httpx2.Response(200, json={"keys": [k.jwk() for k in self.keys]})
            return httpx2.Response(404)

        return httpx2.MockTransport(respond)

    def token(
        self, key: SigningKey | None = None, *, headers: dict[str, Any] | None = None, **claims: Any
    ) -> str:
        """A token as the provider signs it; a claim given as None is left out."""
        key = key or self.keys[0]
        now = datetime.now(UTC)
        values: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "user-1",
            "org": "A81001",
            "roles": ["sender"],
            "iat": now,
            "nbf": now,
            "exp": now + timedelta(minutes=5),
        }
        values.update(claims)
        values = {k: v for k, v in values.items() if v is not None}
        header = {"kid": key.kid} | (headers or {})
        return jwt.encode(values, key.private, algorithm=key.algorithm, headers=header)


def tampered(token: str, **claims: Any) -> str:
    """The token with its payload changed and its signature kept."""
    header, payload, signature = token.split(".")
    decoded = json.loads(jwt.utils.base64url_decode(payload)) | claims
    body = jwt.utils.base64url_encode(json.dumps(decoded).encode()).decode()
    return f"{header}.{body}.{signature}"


def oidc_settings(**overrides: object) -> dict[str, object]:
    return {"oidc_issuer": ISSUER, "oidc_audience": AUDIENCE, **overrides}
