"""Hand-written fakes for the platform's tests."""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class SettableClock:
    """Seconds, moved by hand."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class FakeRateLimiter:
    rate: float = 5.0
    rates_set: list[float] = field(default_factory=list)

    def set_rate(self, requests_per_second: float) -> None:
        self.rate = requests_per_second
        self.rates_set.append(requests_per_second)


@dataclass
class FakeConsumerCounter:
    """Answers the counts in ``answers`` in turn (repeating the last); an exception in the list
    is raised instead, as when the broker cannot be reached."""

    answers: list[int | Exception] = field(default_factory=lambda: [1])
    asked: int = 0

    async def consumers(self) -> int:
        answer = self.answers[min(self.asked, len(self.answers) - 1)]
        self.asked += 1
        if isinstance(answer, Exception):
            raise answer
        return answer


@dataclass
class FakeRegistry:
    """The broker's side of presence: who is registered now."""

    registered: set[str] = field(default_factory=set)


@dataclass
class FakePresence:
    """``busy_sharing.Presence`` over a ``FakeRegistry``. ``broken`` makes every call fail as
    an unreachable broker would (and, like a dropped connection, ends the registration);
    ``on_leave`` is called as the registration is withdrawn."""

    registry: FakeRegistry
    name: str = "me"
    broken: bool = False
    calls: list[str] = field(default_factory=list)
    on_leave: Callable[[], None] | None = None

    @property
    def joined(self) -> bool:
        return not self.broken and self.name in self.registry.registered

    async def join(self) -> None:
        self.calls.append("join")
        self._check()
        self.registry.registered.add(self.name)

    async def leave(self) -> None:
        self.calls.append("leave")
        if self.on_leave is not None:
            self.on_leave()
        self._check()
        self.registry.registered.discard(self.name)

    async def busy(self) -> int:
        self.calls.append("busy")
        self._check()
        return len(self.registry.registered)

    async def aclose(self) -> None:
        self.calls.append("aclose")
        self.registry.registered.discard(self.name)

    def _check(self) -> None:
        if self.broken:
            self.registry.registered.discard(self.name)
            raise ConnectionError("broker unreachable")
