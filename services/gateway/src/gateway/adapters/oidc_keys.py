"""The OpenID Connect provider's signing keys (its JWKS), fetched over HTTP and cached.

Keys are trusted for ``ttl_s``; a token naming a key not in the cache (the provider rotated its
keys) causes one fetch, at most every ``refetch_s``, so a flood of made-up ``kid``s costs the
provider nothing. If a fetch fails while keys are cached, the cached keys stay in use."""

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx2
from jwt import PyJWK
from jwt.exceptions import PyJWKError, PyJWKSetError

log = logging.getLogger("gateway.oidc")
DISCOVERY = "/.well-known/openid-configuration"


class KeysUnavailable(Exception):
    """The provider's keys could not be fetched and none are cached (503)."""


@dataclass(frozen=True)
class KeySource:
    """Whose keys they are and how long they are trusted."""

    issuer: str
    #: Unset: the ``jwks_uri`` of the issuer's discovery document.
    jwks_url: str | None = None
    ttl_s: float = 3600
    refetch_s: float = 30


class SigningKeys:
    def __init__(
        self,
        client: httpx2.AsyncClient,
        source: KeySource,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._source = source
        self._clock = clock
        #: The source's, else the discovery document's once read.
        self._jwks_url = source.jwks_url
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def get(self, kid: str) -> PyJWK | None:
        """The key named ``kid``, or None if the provider does not publish it."""
        ttl_s, refetch_s = self._source.ttl_s, self._source.refetch_s
        if kid in self._keys and not self._stale(ttl_s):
            return self._keys[kid]
        async with self._lock:  # one fetch at a time; waiters then see its result
            if self._stale(ttl_s) or (kid not in self._keys and self._stale(refetch_s)):
                await self._refresh()
        return self._keys.get(kid)

    def _stale(self, age_s: float) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= age_s

    async def _refresh(self) -> None:
        try:
            keys = await self._fetch()
        except (httpx2.HTTPError, ValueError, PyJWKSetError) as exc:
            self._fetched_at = self._clock()  # a failing provider is not asked on every request
            if not self._keys:
                raise KeysUnavailable(str(exc)) from None
            log.warning("signing keys not refreshed; the cached keys stay in use: %s", exc)
            return
        self._keys, self._fetched_at = keys, self._clock()
        log.info("signing keys fetched", extra={"kids": sorted(keys)})

    async def _fetch(self) -> dict[str, PyJWK]:
        url = self._jwks_url or await self._discover()
        response = await self._client.get(url)
        response.raise_for_status()
        document: dict[str, Any] = response.json()
        if not isinstance(document, dict):
            raise ValueError("the JWKS is not a JSON object")
        signing = [
            k for k in document.get("keys", []) if k.get("use", "sig") == "sig" and "kid" in k
        ]
        keys: dict[str, PyJWK] = {}
        for jwk in signing:
            try:
                keys[jwk["kid"]] = PyJWK(jwk)
            except PyJWKError:
                log.warning("unusable signing key skipped", extra={"kid": str(jwk["kid"])})
        if not keys:
            raise PyJWKSetError("the provider publishes no usable signing key")
        return keys

    async def _discover(self) -> str:
        response = await self._client.get(self._source.issuer.rstrip("/") + DISCOVERY)
        response.raise_for_status()
        document = response.json()
        if document.get("issuer") != self._source.issuer:
            raise ValueError("the discovery document names another issuer")
        jwks_uri = document.get("jwks_uri")
        if not isinstance(jwks_uri, str):
            raise ValueError("the discovery document has no jwks_uri")
        self._jwks_url = jwks_uri
        return jwks_uri
