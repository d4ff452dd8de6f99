"""Bearer tokens for PDS (``ports.AccessTokenProvider``).

``SignedJwtTokenProvider`` is NHS England's application-restricted flow (reference/pds.md §5): a
client assertion JWT signed with our RSA key (RS512, ``kid`` naming the public key registered
as a JWKS, ``iss`` = ``sub`` = the API key, ``aud`` = the token URL, a fresh ``jti`` and an
``exp`` 5 minutes ahead) is exchanged at the token endpoint for a ~10 minute bearer token."""

import asyncio
import contextlib
import json
import logging
import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx2
import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from pydantic import SecretStr

from ..ports import TokenUnavailable

log = logging.getLogger("ingest.pds.tokens")

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHM = "RS512"  # the identity service rejects any other
#: The identity service refuses an ``exp`` more than 5 minutes ahead (it allows 10 s of skew).
ASSERTION_LIFETIME_S = 300


class StaticTokenProvider:
    """A token set by configuration (e.g. a long-lived test token). It cannot be refreshed."""

    def __init__(self, token: SecretStr) -> None:
        self._token = token

    async def access_token(self) -> str:
        return self._token.get_secret_value()

    async def refreshed(self, rejected: str) -> str:
        return self._token.get_secret_value()

    async def aclose(self) -> None:
        pass


@dataclass(frozen=True)
class SignedJwtSettings:
    """Where tokens come from and how the application signs its client assertions: the token
    endpoint (the POST target and the assertion's ``aud``), the API key (``iss`` and ``sub``)
    and the private key, which the JWKS names ``key_id``."""

    token_url: str
    api_key: str
    private_key: RSAPrivateKey
    key_id: str


def load_private_key(path: Path) -> RSAPrivateKey:
    """The unencrypted PEM RSA private key at ``path``; raises ``ValueError`` otherwise, so a
    misconfigured instance fails at start-up rather than on its first batch."""
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise ValueError(f"cannot load a PEM private key from {path}: {exc}") from None
    if not isinstance(key, RSAPrivateKey):
        raise ValueError(f"{path} does not hold an RSA private key")
    return key


@dataclass(frozen=True)
class _Token:
    value: str
    refresh_at: float
    expires_at: float


class SignedJwtTokenProvider:
    """Caches the bearer token and fetches a new one ``refresh_margin_s`` before it expires
    (or half-way through its life, if that is shorter).

    Concurrent callers share one fetch: they queue on a lock, and whoever gets it second finds
    the token the first one fetched, or that fetch's failure (so a broken credential costs one
    token request per wave of lookups, not one per lookup). If a refresh fails while the old
    token has not yet expired, the old token is used until it does."""

    def __init__(
        self,
        client: httpx2.AsyncClient,
        settings: SignedJwtSettings,
        *,
        refresh_margin_s: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self._settings = settings
        self._margin_s = refresh_margin_s
        self._clock = clock
        self._lock = asyncio.Lock()
        self._token: _Token | None = None
        self._fetches = 0
        self._failure: TokenUnavailable | None = None

    async def aclose(self) -> None:
        await self._client.aclose()

    async def access_token(self) -> str:
        token = self._token
        if token is not None and self._clock() < token.refresh_at:
            return token.value
        return await self._token_other_than(None)

    async def refreshed(self, rejected: str) -> str:
        return await self._token_other_than(rejected)

    async def _token_other_than(self, rejected: str | None) -> str:
        fetches_seen = self._fetches
        async with self._lock:
            current = self._token
            if current is not None and current.value == rejected:
                current = self._token = None  # PDS refused it: never hand it out again
            if current is not None and self._clock() < current.refresh_at:
                return current.value
            # Fetch, unless the fetch we queued behind has just failed: share its failure.
            if self._fetches == fetches_seen or self._failure is None:
                with contextlib.suppress(TokenUnavailable):
                    return await self._fetch()
            if current is not None and self._clock() < current.expires_at:
                log.warning("pds token refresh failed; using the current token until it expires")
                return current.value
            failure = self._failure or TokenUnavailable("no token", retryable=True)
            raise TokenUnavailable(failure.cause, retryable=failure.retryable)

    async def _fetch(self) -> str:
        failure: TokenUnavailable | None = None
        try:
            token = await self._request_token()
        except TokenUnavailable as exc:
            failure = exc
            raise
        finally:
            # Counted once finished, so callers that queued while it ran share its outcome (a
            # cancelled fetch leaves no failure to share: they fetch for themselves).
            self._failure = failure
            self._fetches += 1
        self._token = token
        return token.value

    def _assertion(self) -> str:
        settings = self._settings
        claims: dict[str, str | int] = {
            "iss": settings.api_key,
            "sub": settings.api_key,
            "aud": settings.token_url,
            "jti": str(uuid.uuid4()),
            "exp": int(self._clock()) + ASSERTION_LIFETIME_S,
        }
        headers = {"kid": settings.key_id, "typ": "JWT"}
        return jwt.encode(claims, settings.private_key, algorithm=ALGORITHM, headers=headers)

    async def _request_token(self) -> _Token:
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": self._assertion(),
        }
        sent_at = self._clock()  # the lifetime counts from no later than this
        try:
            response = await self._client.post(self._settings.token_url, data=form)
        except httpx2.TransportError as exc:
            log.warning("pds token request failed", extra={"error": type(exc).__name__})
            raise TokenUnavailable(type(exc).__name__, retryable=True) from exc
        status = response.status_code
        if status != 200:
            # The identity service's error fields describe our request, never a patient.
            body = _json_object(response.content)
            log.error(
                "pds token refused",
                extra={
                    "status": status,
                    "error": body.get("error"),
                    "error_description": body.get("error_description"),
                    "token_message_id": body.get("message_id"),
                },
            )
            retryable = status >= 500 or status in (408, 429)
            raise TokenUnavailable(f"token endpoint HTTP {status}", retryable=retryable)
        return self._parse(response.content, sent_at)

    def _parse(self, content: bytes, sent_at: float) -> _Token:
        body = _json_object(content)
        value, lifetime = body.get("access_token"), _seconds(body.get("expires_in"))
        if not isinstance(value, str) or not value or lifetime is None:
            log.error("pds token response unusable")
            raise TokenUnavailable("unusable token response", retryable=False)
        log.info("pds token obtained", extra={"expires_in_s": lifetime})
        return _Token(
            value=value,
            refresh_at=sent_at + max(lifetime - self._margin_s, lifetime / 2),
            expires_at=sent_at + lifetime,
        )


def _json_object(content: bytes) -> dict[str, object]:
    try:
        body = json.loads(content)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _seconds(value: object) -> float | None:
    """``expires_in`` as seconds: NHS England's token endpoint sends a string ("599")."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None
