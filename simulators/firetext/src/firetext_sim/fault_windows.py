"""Faults switched on and off while the simulator runs (``POST /_sim/faults``), so a test can
make Firetext misbehave *for a while* at a moment of its choosing: time out (hang, then take
the message anyway: the sender cannot know whether it went), or answer 5xx or 429, then
recover by itself when the window ends."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

FaultMode = Literal["timeout", "5xx", "429"]


class FaultRequest(BaseModel):
    mode: FaultMode
    duration_s: float = Field(gt=0, le=3600, description="How long the fault lasts")
    #: ``timeout``: how long each request hangs before it is served as usual.
    hang_s: float = Field(default=30.0, ge=0, le=600)


@dataclass
class FaultWindow:
    mode: FaultMode
    until: float
    hang_s: float


class FaultWindows:
    """At most one fault at a time; a new one replaces the current one."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._window: FaultWindow | None = None
        #: Requests answered with an injected fault, by mode.
        self.injected: dict[str, int] = {}

    def start(self, request: FaultRequest) -> None:
        self._window = FaultWindow(request.mode, self._clock() + request.duration_s, request.hang_s)

    def stop(self) -> None:
        self._window = None

    def current(self) -> FaultWindow | None:
        if self._window is not None and self._clock() >= self._window.until:
            self._window = None
        return self._window

    def count(self, mode: FaultMode) -> None:
        self.injected[mode] = self.injected.get(mode, 0) + 1

    def as_json(self) -> dict[str, object]:
        window = self.current()
        return {
            "mode": None if window is None else window.mode,
            "remaining_s": 0.0 if window is None else round(window.until - self._clock(), 3),
            "injected": dict(self.injected),
        }
