"""Hand-written fakes for campaign's ports."""

from cohort_contracts.envelope import Message
from cohort_contracts.routing import Route
from cohort_testing.publishers import RecordingPublisher


class FakePublisher(RecordingPublisher[Route, Message]):
    """Campaign's commands and events, as published."""


class FakeCreditSource:
    def __init__(self, credits: int | None = 1_000_000) -> None:
        self.credits = credits

    async def balance(self, org_id: str) -> int | None:
        return self.credits
