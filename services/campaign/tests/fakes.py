"""Hand-written fakes for campaign's ports."""

from cohort_contracts.envelope import Message
from cohort_contracts.routing import Route


class FakePublisher:
    def __init__(self) -> None:
        self.published: list[tuple[Route, Message]] = []
        self.fail_next = 0

    async def publish(self, route: Route, message: Message) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("broker unavailable")
        self.published.append((route, message))


class FakeCreditSource:
    def __init__(self, credits: int | None = 1_000_000) -> None:
        self.credits = credits

    async def balance(self, org_id: str) -> int | None:
        return self.credits
