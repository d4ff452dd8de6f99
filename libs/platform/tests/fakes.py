"""Hand-written fakes for the platform's tests."""

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
