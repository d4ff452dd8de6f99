"""One MESH mailbox through NHS England's ``mesh-client``.

``mesh-client`` is synchronous (``requests``), and each client keeps a nonce count that MESH
checks on every request, bumped without a lock (reference/record.md §2). So each mailbox has
exactly one ``MeshClient``, created, used and closed on one dedicated worker thread: every call
is handed to that thread and awaited, the event loop never blocks, and calls to one mailbox run
one at a time, in order.

Failures become the service's terms (``domain.errors``): MESH's refusals with a DTS error code
(``12`` unregistered recipient, ``16``/``17`` workflow not allowed, ``02``/``06``/``07``/``08``
bad message) are permanent; unreachable MESH, timeouts, 429 and 5xx are retryable. A 401/403 is
our credentials: every send would fail until an operator fixes them, so it is retried with
back-off rather than failing every patient at once. mesh-client never retries the first POST of
a send (a retry could duplicate the message); ``find_sent`` answers whether such a POST reached
MESH."""

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from mesh_client import MeshClient, MeshError

from ..domain.errors import (
    MeshUnavailable,
    PermanentSendError,
    RetryableSendError,
    TrackingUnavailable,
)
from ..domain.responses import InboxMessage

log = logging.getLogger(__name__)
T = TypeVar("T")

#: DTS error codes that no retry will change (MESH API: error codes).
PERMANENT_CODES = frozenset({"02", "06", "07", "08", "12", "16", "17"})
RETRYABLE_STATUSES = frozenset({401, 403, 408, 425, 429})
#: What a MESH that has withdrawn the deprecated tracking by local id may answer.
TRACKING_WITHDRAWN = frozenset({400, 405, 410, 501})


@dataclass(frozen=True)
class MailboxCredentials:
    url: str
    mailbox: str
    password: str
    shared_key: str
    #: Client certificate and key (live and INT require one; mesh-sandbox does not).
    cert: tuple[str, str] | None = None
    #: CA bundle, or None for mesh-client's default (its bundled NHS CAs for known endpoints).
    verify: str | None = None
    timeout_s: float = 60.0


class CohortMeshClient(MeshClient):
    def track_local_id(self, local_id: str) -> str | None:
        """The MESH id of the message this mailbox sent with ``local_id``, or None.

        Tracking by local id is deprecated in the MESH API (tracking by message id replaces
        it), and mesh-client has no method for it; it is used only to resolve a send whose
        answer was lost, where the message id is exactly what we do not have."""
        url = f"{self.mailbox_url}/outbox/tracking/{quote(local_id, safe='')}"
        response = self._session.get(url, timeout=self._timeout)
        if response.status_code == 404:
            return None
        if response.status_code in TRACKING_WITHDRAWN:
            raise TrackingUnavailable(f"HTTP {response.status_code}")
        response.raise_for_status()
        body = response.json()
        found = body.get("messageId") or body.get("messageID") or body.get("message_id")
        return None if found is None else str(found)


def _mesh_error_code(exc: MeshError) -> str | None:
    body = exc.args[1] if len(exc.args) > 1 else exc.args[0] if exc.args else None
    if isinstance(body, dict):
        if "errorCode" in body:
            return str(body["errorCode"])
        detail = body.get("detail")
        if isinstance(detail, list) and detail and isinstance(detail[0], dict):
            code = detail[0].get("code")
            return None if code is None else str(code)
    return None


def classify_send_error(exc: Exception) -> RetryableSendError | PermanentSendError:
    if isinstance(exc, MeshError):
        code = _mesh_error_code(exc)
        if code in PERMANENT_CODES:
            return PermanentSendError(f"MESH {code}")
        return RetryableSendError(f"MESH {code or 'error'}")
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        status = exc.response.status_code
        if 400 <= status < 500 and status not in RETRYABLE_STATUSES:
            return PermanentSendError(f"HTTP {status}")
        return RetryableSendError(f"HTTP {status}")
    return RetryableSendError(type(exc).__name__)


class MeshMailboxClient:
    """``ports.MeshMailbox`` for one mailbox; ``open`` before use, ``close`` after."""

    def __init__(
        self,
        credentials: MailboxCredentials,
        factory: Callable[[MailboxCredentials], Any] | None = None,
    ) -> None:
        self._credentials = credentials
        self._factory = factory or _make_client
        self._thread = ThreadPoolExecutor(1, thread_name_prefix=f"mesh-{credentials.mailbox}")
        self._client: Any = None

    @property
    def mailbox_id(self) -> str:
        return self._credentials.mailbox

    async def open(self) -> None:
        self._client = await self._call(self._factory, self._credentials)

    async def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                await self._call(self._client.close)
            self._client = None
        self._thread.shutdown(wait=False)

    async def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, lambda: fn(*args, **kwargs))

    async def send(
        self, *, to: str, workflow_id: str, body: bytes, local_id: str, subject: str, filename: str
    ) -> str:
        try:
            message_id = await self._call(
                self._client.send_message,
                to,
                body,
                workflow_id=workflow_id,
                local_id=local_id,
                subject=subject,
                filename=filename,
                content_type="application/fhir+json",
            )
        except Exception as exc:
            raise classify_send_error(exc) from exc
        return str(message_id)

    async def find_sent(self, local_id: str) -> str | None:
        try:
            return await self._call(self._client.track_local_id, local_id)
        except TrackingUnavailable:
            raise
        except Exception as exc:
            raise RetryableSendError(f"tracking: {classify_send_error(exc).detail}") from exc

    async def inbox(self, limit: int) -> Sequence[str]:
        try:
            ids = await self._call(self._client.list_messages, max_results=max(limit, 10))
        except Exception as exc:
            raise MeshUnavailable(type(exc).__name__) from exc
        return [str(i) for i in ids][:limit]

    async def read(self, message_id: str) -> InboxMessage:
        try:
            return await self._call(self._read, message_id)
        except Exception as exc:
            raise MeshUnavailable(type(exc).__name__) from exc

    def _read(self, message_id: str) -> InboxMessage:
        message = self._client.retrieve_message(message_id)
        try:
            body = message.read()
        finally:
            message.close()
        return InboxMessage(
            message_id=message_id,
            message_type=str(message.message_type or "DATA"),
            workflow_id=message.workflow_id,
            local_id=message.mex_header("localid"),
            linked_message_id=message.mex_header("linkedmsgid"),
            status_code=message.mex_header("statuscode"),
            status_description=message.mex_header("statusdescription"),
            body=body or b"",
        )

    async def acknowledge(self, message_id: str) -> None:
        try:
            await self._call(self._client.acknowledge_message, message_id)
        except Exception as exc:
            raise MeshUnavailable(type(exc).__name__) from exc

    async def tracking_status(self, mesh_message_id: str) -> str | None:
        try:
            tracked = await self._call(self._client.track_message, mesh_message_id)
        except Exception as exc:
            raise MeshUnavailable(type(exc).__name__) from exc
        status = tracked.get("status") if isinstance(tracked, dict) else None
        return None if status is None else str(status).lower()

    async def handshake(self) -> None:
        try:
            await self._call(self._client.handshake)
        except Exception as exc:
            raise MeshUnavailable(type(exc).__name__) from exc


def _make_client(c: MailboxCredentials) -> CohortMeshClient:
    return CohortMeshClient(
        c.url,
        c.mailbox,
        c.password,
        shared_key=c.shared_key.encode(),
        cert=c.cert,
        verify=c.verify,
        # 0: a failed read is retried by our own loops, on our schedule.
        max_retries=0,
        timeout=c.timeout_s,
        application_name="cohort-record",
    )
