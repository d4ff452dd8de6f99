"""A service's background pass run over and over (an outbox drainer, a sender, a poller): at once
again while there may be more to do, otherwise after a wake-up or an idle wait. A failing pass
must not end the loop, nor hammer what failed: it is retried after a back-off that doubles from
half a second up to a cap, and the service says so (its own log line and counter)."""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

#: Called with the error and the seconds until the next try.
OnError = Callable[[Exception, float], None]

FIRST_BACKOFF_S = 0.5
MAX_BACKOFF_S = 60.0


class BackgroundLoop:
    """Runs ``step`` until stopped. ``step`` returns True when there may be more to do at once;
    otherwise the loop waits for ``wake`` (cleared once woken) or ``idle_s``. ``name`` names the
    asyncio task."""

    def __init__(
        self,
        name: str,
        step: Callable[[], Awaitable[bool]],
        idle_s: float,
        wake: asyncio.Event | None = None,
        *,
        on_error: OnError,
        max_backoff_s: float = MAX_BACKOFF_S,
    ) -> None:
        self.name = name
        self._step = step
        self._idle_s = idle_s
        self.wake = wake or asyncio.Event()
        self._on_error = on_error
        self._max_backoff_s = max_backoff_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        backoff = 0.0
        while True:
            try:
                busy = await self._step()
                backoff = 0.0
            except Exception as exc:
                backoff = min(max(backoff * 2, FIRST_BACKOFF_S), self._max_backoff_s)
                self._on_error(exc, backoff)
                await asyncio.sleep(backoff)
                continue
            if not busy:
                # Nothing more for now: wait to be woken, or look again soon (work arriving
                # elsewhere, e.g. at another instance, wakes nobody here).
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), self._idle_s)
                self.wake.clear()
