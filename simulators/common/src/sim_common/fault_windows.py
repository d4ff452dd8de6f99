"""Faults switched on and off while a simulator runs (``POST /_sim/faults``), so a test can make
the simulated service misbehave *for a while* at a moment of its choosing: time out (hang, then
serve the request anyway: the caller cannot know whether it went through), answer 5xx or 429, or
refuse the credentials (401), then recover by itself when the window ends.

Each simulator answers a fault in its own service's words; this holds only the windows."""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

#: The faults a simulator answers in its service's words; a timeout is served, late.
AnsweredFault = Literal["5xx", "429", "401"]
FaultMode = Literal["timeout", AnsweredFault]


class FaultRequest(BaseModel):
    """Every mode; a simulator whose service has no use for one narrows ``mode`` in a subclass."""

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

    async def meet(self) -> AnsweredFault | None:
        """What a request meets now, counted: the fault to answer it with, or ``None`` to serve
        it. A timeout hangs for ``hang_s`` first, then lets the request be served as usual (the
        caller has given up by then, and cannot know whether it went through)."""
        window = self.current()
        if window is None:
            return None
        self.count(window.mode)
        if window.mode == "timeout":
            await asyncio.sleep(window.hang_s)
            return None
        return window.mode

    def as_json(self) -> dict[str, object]:
        window = self.current()
        return {
            "mode": None if window is None else window.mode,
            "remaining_s": 0.0 if window is None else round(window.until - self._clock(), 3),
            "injected": dict(self.injected),
        }


def fault_router(
    windows: FaultWindows, request_type: type[FaultRequest] = FaultRequest
) -> APIRouter:
    """``/_sim/faults``: start (POST), stop (DELETE) and show (GET) the fault window.

    ``request_type`` is the body FastAPI validates, so a mode the simulator has no use for is
    a 422 before it reaches the windows."""
    router = APIRouter(prefix="/_sim")

    # FastAPI reads the body's model from the annotation, hence a variable there.
    @router.post("/faults")
    async def start_fault(fault: request_type) -> dict[str, object]:  # type: ignore[valid-type]
        windows.start(fault)
        return windows.as_json()

    @router.delete("/faults")
    async def stop_fault() -> dict[str, object]:
        windows.stop()
        return windows.as_json()

    @router.get("/faults")
    async def current_fault() -> dict[str, object]:
        return windows.as_json()

    return router
