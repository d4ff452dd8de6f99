"""The typed client of the gateway's public API (``/v1``), used with the signed-in user's token.

Every page reads and writes through this; the web app keeps no state of its own. Failures come
back as ``GatewayError`` subclasses the routes turn into pages: ``NotFound`` (a 404 page, also
for another organisation's things), ``Invalid`` and ``Conflict`` (errors on the form),
``SignInAgain`` (the token expired) and ``GatewayUnavailable`` (a "try again" page)."""

import logging
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import IO, Any, TypeVar
from urllib.parse import quote
from uuid import UUID

import httpx2
from pydantic import ValidationError

from cohort_http.gateway_api import (
    ApiModel,
    GatewayUnavailable,
    Refusal,
    answered,
    check_answer,
    read_error,
)
from cohort_http.gateway_api import GatewayError as _GatewayError

from .api_views import (
    Activity,
    AuditLog,
    Campaign,
    CampaignPage,
    CampaignType,
    Channel,
    Me,
    PatientList,
    PatientLists,
    Recipient,
    RecipientPage,
    Review,
    SendAgain,
    Suppression,
    Template,
    TestSendResult,
)

log = logging.getLogger("web.gateway")

ACT_FOR_HEADER = "X-Act-For-Org"


class _Suppressions(ApiModel):
    items: list[Suppression]


class GatewayError(_GatewayError):
    """The gateway refused the request; ``message`` is written for people."""

    @property
    def fields(self) -> list[str]:
        """The request fields the gateway named as wrong (``body``, ``subject``...)."""
        named = self.details.get("fields") or []
        field = self.details.get("field")
        names = [str(f).split(".")[-1] for f in named]
        return names + ([str(field)] if field else [])


class NotFound(GatewayError):
    """Not there, or another organisation's: the two look the same on purpose."""


class Invalid(GatewayError):
    pass


class Conflict(GatewayError):
    """The campaign's state does not allow it (already sent, count changed, short of credit)."""


class Forbidden(GatewayError):
    pass


class SignInAgain(GatewayError):
    """The token is missing, expired or no longer accepted."""


class ListNotQueued(GatewayUnavailable):
    """An upload was registered as ``list_id`` but not all of its rows could be queued for
    checking: that list would wait for them for good and hold the send until it is removed."""

    def __init__(self, list_id: UUID) -> None:
        super().__init__("patient list rows not queued")
        self.list_id = list_id


_ERRORS: dict[int, type[GatewayError]] = {
    401: SignInAgain,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: Invalid,
    422: Invalid,
}

M = TypeVar("M", bound=ApiModel)


def segment(value: str) -> str:
    """An id from the page's address as one segment of a gateway path: escaped, so that what a
    browser may send there (``%1F``, ``%3F``, ``%2E%2E``) names nothing else at the gateway and
    is never a URL the client refuses to build."""
    if value in (".", ".."):
        return value.replace(".", "%2E")
    return quote(value, safe="")


class Download:
    """A file streamed from the gateway (CSV), closed when it has been passed on."""

    def __init__(self, response: httpx2.Response) -> None:
        self.response = response
        self.content_type = response.headers.get("content-type", "text/csv; charset=utf-8")
        self.disposition = response.headers.get("content-disposition", "attachment")

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self.response.aiter_raw():
                yield chunk
        except httpx2.HTTPError as exc:
            # The gateway went away mid-stream (a restart): end this response; a browser's
            # EventSource reconnects by itself, with Last-Event-ID.
            log.info("gateway stream ended", extra={"error": type(exc).__name__})
        finally:
            await self.response.aclose()


class GatewayClient:
    """One signed-in user's view of the API: their token, and for a network user the practice
    they act for. ``http`` is the app's shared connection pool."""

    def __init__(self, http: httpx2.AsyncClient, token: str, act_for: str | None = None) -> None:
        self._http = http
        self._headers = {"Authorization": f"Bearer {token}"}
        if act_for:
            self._headers[ACT_FOR_HEADER] = act_for

    # -- organisations -------------------------------------------------------------------
    async def me(self) -> Me:
        return await self._get("/v1/me", Me)

    # -- campaigns -----------------------------------------------------------------------
    async def campaigns(self, status: str | None, page: int, page_size: int) -> CampaignPage:
        params: dict[str, str | int] = {"page": page, "page_size": page_size}
        if status:
            params["status"] = status
        return await self._get("/v1/campaigns", CampaignPage, params)

    async def create_campaign(self, body: Mapping[str, Any]) -> Campaign:
        return await self._send("POST", "/v1/campaigns", Campaign, body)

    async def campaign(self, campaign_id: UUID) -> Campaign:
        return await self._get(f"/v1/campaigns/{campaign_id}", Campaign)

    async def set_message(
        self,
        campaign_id: UUID,
        *,
        body: str | None = None,
        subject: str | None = None,
        template_id: str | None = None,
    ) -> Campaign:
        payload: dict[str, str] = {}
        if template_id is not None:
            payload["template_id"] = template_id
        if body is not None:
            payload["body"] = body
        if subject:
            payload["subject"] = subject
        return await self._send("PUT", f"/v1/campaigns/{campaign_id}/message", Campaign, payload)

    async def review(self, campaign_id: UUID, previews: int = 3) -> Review:
        url = f"/v1/campaigns/{campaign_id}/review"
        return await self._get(url, Review, {"previews": previews})

    async def test_send(self, campaign_id: UUID, channel: Channel, to: str) -> TestSendResult:
        url = f"/v1/campaigns/{campaign_id}/test-send"
        return await self._send("POST", url, TestSendResult, {"channel": channel, "to": to})

    async def send(
        self,
        campaign_id: UUID,
        confirm_recipient_count: int,
        send_at: datetime | None = None,
        spread_hours: int | None = None,
    ) -> Campaign:
        body: dict[str, Any] = {"confirm_recipient_count": confirm_recipient_count}
        if send_at is not None:
            body["send_at"] = send_at.isoformat()
        if spread_hours is not None:
            body["spread_hours"] = spread_hours
        return await self._send("POST", f"/v1/campaigns/{campaign_id}/send", Campaign, body)

    async def approve(self, campaign_id: UUID, confirm_recipient_count: int) -> Campaign:
        body = {"confirm_recipient_count": confirm_recipient_count}
        return await self._send("POST", f"/v1/campaigns/{campaign_id}/approve", Campaign, body)

    async def send_back(self, campaign_id: UUID, reason: str) -> Campaign:
        body = {"reason": reason}
        return await self._send("POST", f"/v1/campaigns/{campaign_id}/send-back", Campaign, body)

    async def leave_out_recently_messaged(self, campaign_id: UUID) -> Review:
        url = f"/v1/campaigns/{campaign_id}/review/exclude-recently-messaged"
        return await self._send("POST", url, Review)

    async def cancel(self, campaign_id: UUID) -> Campaign:
        return await self._send("POST", f"/v1/campaigns/{campaign_id}/cancel", Campaign)

    async def resume(self, campaign_id: UUID) -> Campaign:
        return await self._send("POST", f"/v1/campaigns/{campaign_id}/resume", Campaign)

    async def send_again_summary(self, campaign_id: UUID) -> SendAgain:
        return await self._get(f"/v1/campaigns/{campaign_id}/send-again", SendAgain)

    async def send_again(self, campaign_id: UUID, name: str) -> Campaign:
        """A new draft campaign for the patients ``campaign_id`` did not reach."""
        url = f"/v1/campaigns/{campaign_id}/send-again"
        return await self._send("POST", url, Campaign, {"name": name})

    async def audit(self, campaign_id: UUID) -> AuditLog:
        return await self._get(f"/v1/campaigns/{campaign_id}/audit", AuditLog)

    # -- patient lists -------------------------------------------------------------------
    async def patient_lists(self, campaign_id: UUID) -> PatientLists:
        return await self._get(f"/v1/campaigns/{campaign_id}/patient-lists", PatientLists)

    async def patient_list(self, campaign_id: UUID, list_id: UUID) -> PatientList:
        url = f"/v1/campaigns/{campaign_id}/patient-lists/{list_id}"
        return await self._get(url, PatientList)

    async def upload_list(
        self, campaign_id: UUID, channel: Channel, filename: str, file: IO[bytes], media: str
    ) -> PatientList:
        request = self._http.build_request(
            "POST",
            f"/v1/campaigns/{campaign_id}/patient-lists",
            headers=self._headers,
            data={"channel": channel},
            files={"file": (filename, file, media)},
        )
        return await self._model(request, PatientList, _upload_refusal)

    async def remove_patient_list(self, campaign_id: UUID, list_id: UUID) -> Campaign:
        """A draft's most recent list out, with the patients it added: the campaign as it now is."""
        url = f"/v1/campaigns/{campaign_id}/patient-lists/{list_id}"
        return await self._send("DELETE", url, Campaign)

    async def unsuccessful_csv(self, campaign_id: UUID, list_id: UUID) -> Download:
        url = f"/v1/campaigns/{campaign_id}/patient-lists/{list_id}/unsuccessful.csv"
        return await self._download(url, {})

    # -- recipients ----------------------------------------------------------------------
    async def recipients(
        self, campaign_id: UUID, status: str | None, page: int, page_size: int
    ) -> RecipientPage:
        params: dict[str, str | int] = {"page": page, "page_size": page_size}
        if status:
            params["status"] = status
        url = f"/v1/campaigns/{campaign_id}/recipients"
        return await self._get(url, RecipientPage, params)

    async def recipient(self, campaign_id: UUID, recipient_id: str) -> Recipient:
        url = f"/v1/campaigns/{campaign_id}/recipients/{recipient_id}"
        return await self._get(url, Recipient)

    async def activity(self, campaign_id: UUID, recipient_id: str) -> Activity:
        url = f"/v1/campaigns/{campaign_id}/recipients/{recipient_id}/activity"
        return await self._get(url, Activity)

    async def responses_csv(self, campaign_id: UUID) -> Download:
        return await self._download(f"/v1/campaigns/{campaign_id}/questionnaire-responses.csv", {})

    async def recipients_csv(self, campaign_id: UUID, status: str | None) -> Download:
        params = {"status": status} if status else {}
        return await self._download(f"/v1/campaigns/{campaign_id}/recipients.csv", params)

    async def events(self, campaign_id: UUID, last_event_id: str | None) -> Download:
        headers = {"Accept": "text/event-stream"}
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        url = f"/v1/campaigns/{campaign_id}/events"
        # No read timeout: the stream is quiet between changes (keep-alives every 15 s).
        return await self._download(url, {}, headers, httpx2.Timeout(10.0, read=None))

    # -- templates -----------------------------------------------------------------------
    async def templates(
        self, type: CampaignType | None = None, include_archived: bool = False
    ) -> list[Template]:
        params: dict[str, str | int] = {"include_archived": str(include_archived).lower()}
        if type:
            params["type"] = type
        return (await self._get("/v1/templates", _Templates, params)).items

    async def create_template(self, body: Mapping[str, Any]) -> Template:
        return await self._send("POST", "/v1/templates", Template, body)

    async def update_template(self, template_id: str, body: Mapping[str, Any]) -> Template:
        return await self._send("PUT", f"/v1/templates/{segment(template_id)}", Template, body)

    async def archive_template(self, template_id: str) -> Template:
        return await self._send("POST", f"/v1/templates/{segment(template_id)}/archive", Template)

    # -- opt-outs -------------------------------------------------------------------------
    async def suppressions(self) -> list[Suppression]:
        return (await self._get("/v1/suppressions", _Suppressions)).items

    async def add_suppression(self, contact: str) -> Suppression:
        return await self._send("POST", "/v1/suppressions", Suppression, {"contact": contact})

    async def remove_suppression(self, suppression_id: str) -> Suppression:
        return await self._send(
            "DELETE", f"/v1/suppressions/{segment(suppression_id)}", Suppression
        )

    # -- plumbing ------------------------------------------------------------------------
    async def _get(
        self, url: str, kind: type[M], params: Mapping[str, str | int] | None = None
    ) -> M:
        request = self._http.build_request("GET", url, headers=self._headers, params=params)
        return await self._model(request, kind)

    async def _send(
        self, method: str, url: str, kind: type[M], body: Mapping[str, Any] | None = None
    ) -> M:
        request = self._http.build_request(method, url, headers=self._headers, json=body)
        return await self._model(request, kind)

    async def _model(
        self,
        request: httpx2.Request,
        kind: type[M],
        refusal: Refusal | None = None,
    ) -> M:
        response = await answered(self._http.send(request), refusal or _refusal)
        try:
            return kind.model_validate_json(response.content)
        except ValidationError as exc:
            raise GatewayUnavailable(f"unreadable {kind.__name__}") from exc

    async def _download(
        self,
        url: str,
        params: Mapping[str, str],
        headers: Mapping[str, str] | None = None,
        read_timeout: httpx2.Timeout | None = None,
    ) -> Download:
        """The response opened as a stream: ``Download.chunks`` passes it on and closes it."""
        request = self._http.build_request(
            "GET", url, headers={**self._headers, **(headers or {})}, params=params
        )
        if read_timeout is not None:
            request.extensions["timeout"] = read_timeout.as_dict()
        try:
            response = await self._http.send(request, stream=True)
        except httpx2.HTTPError as exc:
            raise GatewayUnavailable(type(exc).__name__) from exc
        if response.status_code >= 400:
            await response.aread()
            await response.aclose()
            check_answer(response, _refusal)
        return Download(response)


class _Templates(ApiModel):
    items: list[Template]


def _upload_refusal(response: httpx2.Response) -> Exception | None:
    """An upload's 503 that names a list: one registered whose rows did not all go."""
    if response.status_code == 503:
        list_id = read_error(response)[2].get("list_id")
        if list_id is not None:
            return ListNotQueued(UUID(str(list_id)))
    return _refusal(response)


def _refusal(response: httpx2.Response) -> GatewayError | None:
    kind = _ERRORS.get(response.status_code)
    return kind(response.status_code, *read_error(response)) if kind is not None else None
