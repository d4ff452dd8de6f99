"""Delivery receipts and inbound replies, POSTed form-encoded as Firetext sends them
(reference/firetext.md sections 2 and 4)."""

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx2

from firetext_sim.messages import AcceptedMessage
from firetext_sim.outcomes import Outcome

log = logging.getLogger("firetext_sim.receipts")
#: What a POST to a caller-supplied URL can raise (InvalidURL is not an HTTPError).
POST_ERRORS = (httpx2.HTTPError, httpx2.InvalidURL)
# Firetext reports times as UK local time with no offset.
_UK = ZoneInfo("Europe/London")


def uk_time() -> str:
    return datetime.now(_UK).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class ReceiptCounts:
    sent: int = 0
    failed: int = 0


class ReceiptSender:
    """Runs each recipient's receipt sequence as a background task, cancelled on ``aclose``."""

    def __init__(
        self,
        client: httpx2.AsyncClient,
        delay_s: float,
        attempts: int,
        backoff_s: float,
    ) -> None:
        self._client = client
        self._delay_s = delay_s
        self._attempts = attempts
        self._backoff_s = backoff_s
        self._tasks: set[asyncio.Task[None]] = set()
        self.counts = ReceiptCounts()

    def schedule(self, entry: AcceptedMessage, outcomes: tuple[Outcome, ...]) -> None:
        task = asyncio.create_task(self._deliver(entry, outcomes))
        # The set keeps a strong reference: the event loop holds tasks only weakly.
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def post_form(self, url: str, form: Mapping[str, str]) -> int:
        """POST ``form`` to ``url`` as-is (query string and userinfo included); the status."""
        response = await self._client.post(url, data=dict(form))
        return response.status_code

    async def aclose(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._client.aclose()

    async def _deliver(self, entry: AcceptedMessage, outcomes: tuple[Outcome, ...]) -> None:
        # The handset's status moves on whether or not anyone asked for a receipt.
        for outcome in outcomes:
            await asyncio.sleep(self._delay_s)
            entry.record(outcome)
            if entry.receipt:
                await self._post_receipt(entry, outcome)

    async def _post_receipt(self, entry: AcceptedMessage, outcome: Outcome) -> None:
        form = {
            "mobile": entry.mobile,
            "status": str(outcome.status),
            "time": uk_time(),
            "code": outcome.code,
        }
        if entry.reference:
            form["reference"] = entry.reference
        last = ""
        for attempt in range(self._attempts):
            if attempt:
                await asyncio.sleep(self._backoff_s * 2 ** (attempt - 1))
            last = await self._try_post(entry.receipt, form)
            if not last:
                self.counts.sent += 1
                return
        self.counts.failed += 1
        # Ids only: the URL may carry a secret and the form carries a phone number.
        log.warning("delivery receipt abandoned (%s)", last, extra={"message_id": entry.id})

    async def _try_post(self, url: str, form: Mapping[str, str]) -> str:
        """What went wrong ("" if nothing): an HTTP status or the error's type."""
        # Whether Firetext retries at all is unknown; retrying every failure lets tests exercise
        # a receiver that is briefly down or answering errors.
        try:
            status = await self.post_form(url, form)
        except POST_ERRORS as exc:
            return type(exc).__name__
        return "" if status < 400 else f"HTTP {status}"
