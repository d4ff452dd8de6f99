"""Firetext: ``POST {base}/api/sendsms/json`` (one text to up to 50 numbers) and
``GET {base}/api/credit/json`` (reference/firetext.md §1, §3).

The one rule that matters most: a request that may have reached Firetext is never sent again.
Only failures that prove it did not (no connection made, or Firetext answering that it did not
queue it) are ``RetryableSendError``; a read timeout or a connection dropped after the request
was written is ``OutcomeUnknownError``.

The API key travels in the form body of a send and in the query string of a credit request
(Firetext's documented form). Neither is ever logged: httpx2's request lines are silenced by
``cohort_platform.logs.configure_logging``, and our own logs carry ids and exception types only."""

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass

import aiohttp
import httpx2
from httpx_aiohttp.httpx2 import Httpx2AiohttpClient
from pydantic import SecretStr

from cohort_contracts.dispatch_requests import CreditBalance
from cohort_contracts.vocabulary import SendReason
from cohort_nhs import international_digits

from ..domain import reasons
from ..domain.errors import (
    CreditUnavailable,
    OutcomeUnknownError,
    PermanentSendError,
    ProviderConfigurationError,
    RetryableSendError,
)
from ..domain.grouping import ProviderRequest
from ..domain.webhook import receipt_url
from .base import SmsClient

#: Send response codes (reference/firetext.md §1) that mean our account or request is wrong, so
#: every message will fail until an operator acts. Codes 4, 6 and 10-12 concern parameters we
#: never send; they can only mean a bug, and are treated the same way.
_CONFIGURATION_DETAIL = {
    1: "Firetext error 1: the API key was refused",
    3: "Firetext error 3: the sender name was refused",
    8: "Firetext error 8: the delivery-receipt address was refused",
    9: "Firetext error 9: the sub-account was not recognised",
}


def make_http_client(
    *, connect_timeout: float, read_timeout: float, pool_timeout: float, max_connections: int
) -> httpx2.AsyncClient:
    """An httpx2 client on the aiohttp transport (DESIGN §8: httpx's own pool costs ~20x the
    CPU). With this transport ``connect`` bounds the TCP connect, ``pool`` the whole wait for a
    connection (pooled or new) and ``read`` each socket read."""
    return Httpx2AiohttpClient(
        timeout=httpx2.Timeout(
            connect=connect_timeout, read=read_timeout, write=read_timeout, pool=pool_timeout
        ),
        # Shorter than the usual server keep-alive (uvicorn 5 s), so a pooled connection the
        # server is closing is rarely reused: a POST on it fails as "disconnected", which we must
        # treat as outcome unknown (aiohttp does not retry non-idempotent requests).
        limits=httpx2.Limits(max_connections=max_connections, keepalive_expiry=4.0),
    )


def request_never_sent(exc: Exception) -> bool:
    """True only if the request cannot have reached the server.

    httpx_aiohttp maps *every* ``aiohttp.ClientConnectionError`` to ``httpx2.ConnectTimeout``:
    a refused connection, but also "server disconnected" and "connection reset" after the
    request was written. So the httpx type cannot be trusted; the aiohttp exception it was raised
    from can: only a connector failure (refused, DNS, TLS handshake) or a connect/pool timeout
    happens before any byte of the request is written."""
    cause = exc.__cause__
    if isinstance(cause, aiohttp.ClientError):
        return isinstance(cause, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError)
    # Another transport (httpcore) reports connect failures with httpx's own precise types.
    return isinstance(exc, httpx2.ConnectError | httpx2.ConnectTimeout | httpx2.PoolTimeout)


def firetext_number(to: str) -> str:
    """Firetext wants international digits without ``+`` (``447700900123``)."""
    digits = international_digits(to)
    if digits is None:
        raise PermanentSendError(reasons.SMS_INVALID_NUMBER, reason_code=SendReason.INVALID_NUMBER)
    return digits


@dataclass(frozen=True)
class FiretextAccount:
    """The Firetext account an organisation sends through: its API key and its ``from``."""

    api_key: SecretStr
    sender_id: str


class FiretextSmsSender(SmsClient):
    provider = "firetext"

    def __init__(
        self,
        client: httpx2.AsyncClient,
        *,
        base_url: str,
        default_account: FiretextAccount,
        receipt_base_url: str,
        webhook_secret: SecretStr,
        accounts: Mapping[str, FiretextAccount] | None = None,
        credit_timeout_s: float = 5.0,
    ) -> None:
        self._client = client
        base = base_url.rstrip("/")
        self._send_url = f"{base}/api/sendsms/json"
        self._credit_url = f"{base}/api/credit/json"
        self._default = default_account
        self._accounts = dict(accounts or {})
        self._receipt_base_url = receipt_base_url
        self._webhook_secret = webhook_secret
        self._credit_timeout_s = credit_timeout_s

    def account_for(self, org_id: str) -> FiretextAccount:
        return self._accounts.get(org_id, self._default)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _send(self, request: ProviderRequest, org_id: str) -> str | None:
        account = self.account_for(org_id)
        form = {
            "apiKey": account.api_key.get_secret_value(),
            "from": account.sender_id,
            "to": ",".join(firetext_number(m.to) for m in request.messages),
            "message": request.body,
            "reference": request.reference,
            "receipt": receipt_url(
                self._receipt_base_url, self._webhook_secret.get_secret_value(), org_id
            ),
        }
        try:
            response = await self._client.post(self._send_url, data=form)
        except httpx2.UnsupportedProtocol as exc:
            raise ProviderConfigurationError(
                reasons.sms_configuration("the Firetext address is not a web address"),
                provider_code="url",
            ) from exc
        except (httpx2.HTTPError, aiohttp.ClientError, OSError, TimeoutError) as exc:
            if request_never_sent(exc):
                raise RetryableSendError(reasons.SMS_UNAVAILABLE) from exc
            raise OutcomeUnknownError(reasons.SMS_UNKNOWN) from exc
        return _interpret(response, request.body)

    async def credit(self, org_id: str) -> CreditBalance:
        params = {"apiKey": self.account_for(org_id).api_key.get_secret_value()}
        try:
            async with asyncio.timeout(self._credit_timeout_s):
                response = await self._client.get(self._credit_url, params=params)
        except (httpx2.HTTPError, aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise CreditUnavailable(reasons.CREDIT_UNREACHABLE) from exc
        # Status checked by hand: httpx's HTTPStatusError quotes the URL, which holds the key.
        if response.status_code != 200:
            raise CreditUnavailable(reasons.CREDIT_UNREACHABLE)
        try:
            body = response.json()
            code, balance = int(str(body["code"])), int(str(body["responseData"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise CreditUnavailable(reasons.credit_refused("an answer it could not read")) from exc
        if code != 0:
            detail = _CONFIGURATION_DETAIL.get(code, f"Firetext error {code}")
            raise CreditUnavailable(reasons.credit_refused(detail))
        return CreditBalance(provider=self.provider, credits=balance)


def _interpret(response: httpx2.Response, body: str) -> str | None:
    status = response.status_code
    # 502/504 come from a proxy in front of Firetext that may have forwarded the request and
    # given up waiting: the same doubt as our own read timeout.
    if status in (502, 504):
        raise OutcomeUnknownError(reasons.SMS_UNKNOWN)
    # Firetext (or its front end) answered without queueing: throttled, busy or broken.
    if status in (408, 429) or status >= 500:
        raise RetryableSendError(reasons.SMS_UNAVAILABLE)
    if status != 200:
        raise ProviderConfigurationError(
            reasons.sms_configuration(f"Firetext answered HTTP {status}"),
            provider_code=f"http-{status}",
        )
    try:
        # Notify compares ``code`` with the integer 0; Firetext's OpenAPI types it as a string.
        code = int(str(response.json()["code"]))
    except (ValueError, KeyError, TypeError) as exc:
        # A 200 we cannot read may well be an accepted message.
        raise OutcomeUnknownError(reasons.SMS_UNKNOWN) from exc
    return _by_code(code, response.headers.get("X-Message"), body)


def _by_code(code: int, message_id: str | None, body: str) -> str | None:
    """Firetext answers one code for the whole request; only 0 means anything was queued."""
    match code:
        case 0:
            return message_id
        case 2:
            # For a request to several numbers this says only that at least one is bad; the
            # sending handler then sends them one by one to find which.
            raise PermanentSendError(
                reasons.SMS_REJECTED_NUMBER, reason_code=SendReason.PROVIDER_REJECTED_NUMBER
            )
        case 5 if len(body) > reasons.FIRETEXT_MAX_CHARACTERS:
            raise PermanentSendError(reasons.SMS_TOO_LONG, reason_code=SendReason.MESSAGE_TOO_LONG)
        case 5:
            raise PermanentSendError(
                reasons.SMS_REJECTED_MESSAGE, reason_code=SendReason.PROVIDER_REJECTED_MESSAGE
            )
        case 7:
            raise ProviderConfigurationError(
                reasons.SMS_NO_CREDIT,
                provider_code="7",
                reason_code=SendReason.INSUFFICIENT_CREDIT,
            )
        case _:
            detail = _CONFIGURATION_DETAIL.get(code, f"Firetext error {code}")
            raise ProviderConfigurationError(
                reasons.sms_configuration(detail), provider_code=str(code)
            )
