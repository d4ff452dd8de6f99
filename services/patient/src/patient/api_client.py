"""The typed client of the gateway's patient-link API (``/v1/patient-links/{token}``).

Every request carries this service's own bearer token (HS256 under ``PATIENT_GATEWAY_SECRET``,
audience ``cohort-patient-links``, five minutes) and the patient's address for the gateway's
rate limit; the link token is the patient's capability, and the session that confirming the
date of birth returned opens everything personal. Refusals come back as exceptions the routes
turn into pages."""

import time
from collections.abc import Awaitable, Mapping
from datetime import date
from typing import Any, TypeVar
from urllib.parse import quote

import httpx2
import jwt
from pydantic import ValidationError

from cohort_http.gateway_api import (
    ApiModel,
    GatewayError,
    GatewayUnavailable,
    answered,
    read_error,
)

from .api_views import Booking, Link, Questionnaire, Session, Slots
from .config import GATEWAY_AUDIENCE


class _Unsubscribed(ApiModel):
    practice_name: str


class LinkNotFound(GatewayError):
    pass


class LinkExpired(GatewayError):
    pass


class LinkLocked(GatewayError):
    pass


class WrongAnswer(GatewayError):
    @property
    def attempts_left(self) -> int:
        return int(self.details.get("attempts_left", 0))


class SessionEnded(GatewayError):
    """No session, or it ran out: the patient confirms their date of birth again."""


class TooSoon(GatewayError):
    @property
    def retry_after_s(self) -> int:
        return int(self.details.get("retry_after_s", 1))


class SlotTaken(GatewayError):
    pass


class Refused(GatewayError):
    """A refusal the page shows as it is (the practice's system said no, a conflict)."""


M = TypeVar("M", bound=ApiModel)


def _refusal(response: httpx2.Response) -> GatewayError | None:
    """A 5xx, or a 401 (this service's own token refused), is no refusal the patient can act
    on: None, the gateway unavailable."""
    status = response.status_code
    if status >= 500 or status == 401:
        return None
    code, message, details = read_error(response)
    kind: type[GatewayError] = Refused
    if status == 404:
        kind = LinkNotFound
    elif status == 410:
        kind = LinkExpired
    elif status == 423:
        kind = LinkLocked
    elif status == 429:
        kind = TooSoon
    elif status == 403:
        kind = SessionEnded if details.get("reason") == "session" else WrongAnswer
    elif status == 409 and details.get("reason") == "slot_taken":
        kind = SlotTaken
    return kind(status, code, message, details)


async def _answer(kind: type[M], sent: Awaitable[httpx2.Response]) -> M:
    """The gateway's answer read as ``kind``. A refusal is its ``GatewayError``; no answer, a
    5xx, a 401 or an unreadable answer is ``GatewayUnavailable``."""
    response = await answered(sent, _refusal)
    try:
        return kind.model_validate(response.json())
    except (ValueError, ValidationError) as exc:
        raise GatewayUnavailable("the gateway's answer could not be read") from exc


class ServiceToken:
    """This service's token for the gateway, renewed a minute before it ends."""

    def __init__(self, secret: str) -> None:
        self._secret = secret
        self._token = ""
        self._until = 0.0

    def __call__(self) -> str:
        now = time.time()
        if now > self._until - 60:
            claims = {"sub": "patient-service", "aud": GATEWAY_AUDIENCE, "iat": int(now)}
            claims["exp"] = int(now) + 300
            self._token = jwt.encode(claims, self._secret, algorithm="HS256")
            self._until = now + 300
        return self._token


class GatewayClient:
    def __init__(self, http: httpx2.AsyncClient, token: ServiceToken, address: str) -> None:
        self._http = http
        self._token = token
        self._address = address

    def _headers(self, session: str | None = None, key: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self._token()}", "X-Patient-Address": self._address}
        if session:
            headers["X-Patient-Session"] = session
        if key:
            headers["Idempotency-Key"] = key
        return headers

    async def _call(
        self,
        kind: type[M],
        method: str,
        token: str,
        path: str = "",
        *,
        body: Mapping[str, Any] | None = None,
        session: str | None = None,
        key: str | None = None,
    ) -> M:
        url = f"/v1/patient-links/{quote(token, safe='')}{path}"
        headers = self._headers(session, key)
        return await _answer(kind, self._http.request(method, url, json=body, headers=headers))

    async def unsubscribe(self, token: str) -> str:
        """Stops the emails an unsubscribe link came in (the gateway's one-click endpoint);
        returns the practice's name."""
        sent = self._http.post(f"/v1/unsubscribe/{quote(token, safe='')}")
        return (await _answer(_Unsubscribed, sent)).practice_name

    async def open(self, token: str) -> Link:
        return await self._call(Link, "GET", token)

    async def verify(self, token: str, birth_date: date) -> Session:
        body = {"birth_date": birth_date.isoformat()}
        return await self._call(Session, "POST", token, "/verification", body=body)

    async def booking(self, token: str, session: str) -> Booking:
        return await self._call(Booking, "GET", token, "/booking", session=session)

    async def slots(self, token: str, session: str) -> Slots:
        return await self._call(Slots, "GET", token, "/slots", session=session)

    async def book(self, token: str, session: str, slot_id: str, key: str) -> Booking:
        body = {"slot_id": slot_id}
        return await self._call(
            Booking, "POST", token, "/booking", body=body, session=session, key=key
        )

    async def cancel(self, token: str, session: str, key: str) -> Booking:
        path = "/booking/cancellation"
        return await self._call(Booking, "POST", token, path, session=session, key=key)

    async def questionnaire(self, token: str, session: str) -> Questionnaire:
        return await self._call(Questionnaire, "GET", token, "/questionnaire", session=session)

    async def answer(
        self, token: str, session: str, answers: dict[str, list[str]], key: str
    ) -> Questionnaire:
        body = {"answers": [{"link_id": k, "values": v} for k, v in answers.items()]}
        path = "/questionnaire/response"
        return await self._call(
            Questionnaire, "POST", token, path, body=body, session=session, key=key
        )
