"""A hand-written OAuth token endpoint for the signed-JWT provider's tests: verifies each client
assertion with the test's public key (as the identity service does), records it and answers
from a script, else with a fresh token."""

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

TOKEN_PATH = "/oauth2/token"
TOKEN_URL = f"http://identity.test{TOKEN_PATH}"


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@dataclass(frozen=True)
class TokenReply:
    status: int
    body: Any


@dataclass(frozen=True)
class Assertion:
    form: dict[str, str]
    header: dict[str, Any]
    claims: dict[str, Any]


@dataclass
class TokenEndpoint:
    public_key: rsa.RSAPublicKey
    audience: str = TOKEN_URL
    expires_in: str = "599"
    scripts: list[TokenReply] = field(default_factory=list)
    received: list[Assertion] = field(default_factory=list)
    delay_s: float = 0.0

    @property
    def issued(self) -> list[str]:
        return [f"token-{n}" for n in range(1, len(self.received) + 1)]

    async def _token(self, request: Request) -> Response:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        assertion = form.get("client_assertion", "")
        claims = jwt.decode(
            assertion, self.public_key, algorithms=["RS512"], audience=self.audience
        )
        self.received.append(Assertion(form, jwt.get_unverified_header(assertion), claims))
        await asyncio.sleep(self.delay_s)
        if self.scripts:
            reply = self.scripts.pop(0)
            return Response(json.dumps(reply.body), reply.status, media_type="application/json")
        body = {
            "access_token": f"token-{len(self.received)}",
            "expires_in": self.expires_in,
            "token_type": "Bearer",
            "issued_at": "0",
        }
        return Response(json.dumps(body), 200, media_type="application/json")

    def app(self) -> Starlette:
        return Starlette(routes=[Route(TOKEN_PATH, self._token, methods=["POST"])])
