"""Reads of a campaign and of the overview, shared between callers asking the same thing.

A campaign being sent is watched: a hundred staff (and the web app's live view) asking for its
counts several times a second would otherwise each cost a request to campaign and back through
RabbitMQ. Identical reads (same kind, same organisation scope and acting organisation, same
parameters) made while one is in flight wait for it, and its answer is reused for ``ttl_s``
(a quarter of a second: counts move on receipts anyway, and the live view refreshes every
second or two). A write through this gateway forgets what it cached for that campaign and the
overviews, so whoever changed something reads the change at once; another gateway instance may
show the earlier answer for at most ``ttl_s``. Errors are never cached."""

import asyncio
import time
from collections.abc import Hashable
from uuid import UUID

from cohort_contracts.campaign_requests import GetCampaign, ListCampaigns
from cohort_contracts.envelope import Message, Model

from ..ports import CampaignClient

#: Not part of what is read: the envelope (ids and times differ per request) and who asks (the
#: answer depends only on the organisations they may read, which stay in the key).
_NOT_THE_QUESTION = {"message_id", "correlation_id", "occurred_at", "schema_version", "actor"}


class CoalescedReads:
    def __init__(self, inner: CampaignClient, ttl_s: float = 0.25, max_entries: int = 10_000):
        self._inner = inner
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._answers: dict[Hashable, tuple[float, Model]] = {}
        self._in_flight: dict[Hashable, asyncio.Future[Model]] = {}

    async def request(self, request: Message) -> Model:
        if not isinstance(request, GetCampaign | ListCampaigns):
            try:
                return await self._inner.request(request)
            finally:
                self._forget(getattr(request, "campaign_id", None))
        key = _key(request)
        cached = self._answers.get(key)
        if cached is not None and time.monotonic() - cached[0] < self._ttl_s:
            return cached[1]
        if (waiting := self._in_flight.get(key)) is not None:
            try:
                return await asyncio.shield(waiting)
            except asyncio.CancelledError:
                if not waiting.cancelled() or _being_cancelled():
                    raise
                # The caller we were waiting on went away: ask for ourselves.
        future: asyncio.Future[Model] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = future
        try:
            answer = await self._inner.request(request)
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: nobody else may be waiting
            raise
        else:
            if len(self._answers) >= self._max_entries:
                self._answers.clear()
            self._answers[key] = (time.monotonic(), answer)
            future.set_result(answer)
            return answer
        finally:
            self._in_flight.pop(key, None)
            if not future.done():  # this caller was cancelled: those waiting ask themselves
                future.cancel()

    def _forget(self, campaign_id: UUID | None) -> None:
        for key in [k for k in self._answers if _concerns(k, campaign_id)]:
            del self._answers[key]


def _being_cancelled() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def _key(request: GetCampaign | ListCampaigns) -> Hashable:
    fields = request.model_dump(exclude=_NOT_THE_QUESTION)
    return (type(request).__name__, tuple(sorted((k, _frozen(v)) for k, v in fields.items())))


def _frozen(value: object) -> Hashable:
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


def _concerns(key: Hashable, campaign_id: UUID | None) -> bool:
    assert isinstance(key, tuple)
    kind: str = key[0]
    fields: tuple[tuple[str, Hashable], ...] = key[1]
    if kind == "ListCampaigns":
        return True  # an overview shows every campaign's status and counts
    return campaign_id is None or dict(fields).get("campaign_id") == campaign_id
