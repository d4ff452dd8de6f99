"""Holding PDS lookups while PDS refuses our credentials (401 after a fresh token, 403, or a
token endpoint that refuses our key).

That is a configuration fault, not an outage, and not the patient's: no row may fail for it.
So lookups wait; one of them at a time tries again after a growing pause (the probe), and the
moment one is accepted every waiting lookup carries on. An operator sees an error log line per
refused probe and the ``ingest_pds_credentials_refused`` gauge at 1 for as long as it lasts.

The batch being resolved stays unacknowledged meanwhile. RabbitMQ closes a channel whose
message is held longer than its ``consumer_timeout`` (30 minutes by default) and hands the
batch to another consumer, which holds it in turn; a refusal that outlasts the queue's
delivery limit of such timeouts dead-letters the batch, which the operator can replay."""

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from .pds_metrics import PDS_CREDENTIALS_REFUSED

log = logging.getLogger("ingest.pds")


class CredentialsRefused(Exception):
    """PDS (or its token endpoint) refused our credentials for one attempt."""

    def __init__(self, status: int | None, spine_code: str | None) -> None:
        super().__init__(f"HTTP {status}" if status is not None else "token endpoint")
        self.status = status
        self.spine_code = spine_code


@dataclass(frozen=True)
class HoldTimes:
    #: First pause before trying again after a refusal; doubled after each refused probe.
    initial_s: float = 5.0
    max_s: float = 300.0


class CredentialHold:
    def __init__(
        self,
        times: HoldTimes,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._times = times
        self._sleep = sleep
        self._clock = clock
        self._refused_since: float | None = None
        self._pause = times.initial_s
        self._probe = asyncio.Lock()
        #: A probe is under way: its refusal is the one worth an error line.
        self._probing = False

    @property
    def refused(self) -> bool:
        return self._refused_since is not None

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Entered before each lookup: at once while credentials are accepted; while they are
        refused, one lookup at a time after the pause (the probe) and the rest once it is
        accepted. The probe holds the turn until it leaves, so no two probe together."""
        if not self.refused:
            yield
            return
        async with self._probe:
            if self.refused:
                await self._sleep(self._pause)
                self._pause = min(self._pause * 2, self._times.max_s)
                self._probing = True
                try:
                    yield
                finally:
                    self._probing = False
                return
        yield

    def refuse(self, refusal: CredentialsRefused) -> None:
        """One error line when the refusal starts and one per refused probe; the lookups that
        were already in flight when it started add nothing."""
        if self._refused_since is None:
            self._refused_since = self._clock()
            self._pause = self._times.initial_s
            PDS_CREDENTIALS_REFUSED.set(1)
        elif not self._probing:
            return
        log.error(
            "ingest_pds_credentials_refused: PDS refuses our credentials; lookups are held "
            "(no row is failed) until it accepts them. Check INGEST_PDS_* credentials.",
            extra={
                "status": refusal.status,
                "spine_code": refusal.spine_code,
                "refused_for_s": round(self._clock() - self._refused_since, 1),
                "next_try_in_s": self._pause,
            },
        )

    def accept(self) -> None:
        if self._refused_since is None:
            return
        log.warning(
            "pds accepts our credentials again; held lookups carry on",
            extra={"refused_for_s": round(self._clock() - self._refused_since, 1)},
        )
        self._refused_since = None
        PDS_CREDENTIALS_REFUSED.set(0)
