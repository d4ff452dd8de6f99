"""The fake of a service's broker publisher (``publish(route, message)``), for every service's
unit tests: what was published, in order, and a broker that refuses the next few publishes.
Generic in the route and message types, so this library needs none of the contracts."""

from typing import Generic, TypeVar

R = TypeVar("R")
M = TypeVar("M")


class RecordingPublisher(Generic[R, M]):
    def __init__(self, *, fail_next: int = 0) -> None:
        self.published: list[tuple[R, M]] = []
        #: How many of the next publishes fail as when the broker is away (``ConnectionError``,
        #: which the services treat as a publish to retry).
        self.fail_next = fail_next

    async def publish(self, route: R, message: M) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("broker unavailable")
        self.published.append((route, message))
