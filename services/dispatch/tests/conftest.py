import asyncio

import pytest

from dispatch.handlers import Deps, RetryPolicy, SendingDeps, SendPolicy

from .fakes import (
    FakeCampaignClaims,
    FakeCreditSource,
    FakeEmailSender,
    FakeEventPublisher,
    FakeRateLimiter,
    FakeSmsSender,
)


class World:
    """Every fake a sending test needs, wired into ``SendingDeps``."""

    def __init__(self, *, chunk_size: int = 50, attempts: int = 3, concurrency: int = 10) -> None:
        self.sms = FakeSmsSender()
        self.email = FakeEmailSender()
        self.credit = FakeCreditSource()
        self.claims = FakeCampaignClaims()
        self.events = FakeEventPublisher()
        self.sms_limiter = FakeRateLimiter()
        self.email_limiter = FakeRateLimiter()
        self.concurrency = concurrency
        self.policy = SendPolicy(
            chunk_size=chunk_size,
            retry=RetryPolicy(attempts=attempts, initial_backoff_s=0, max_backoff_s=0),
            publish_backoff_s=0,
        )

    @property
    def deps(self) -> SendingDeps:
        return SendingDeps(
            claims=self.claims,
            sms=self.sms,
            email=self.email,
            events=self.events,
            sms_limiter=self.sms_limiter,
            email_limiter=self.email_limiter,
            in_flight=asyncio.Semaphore(self.concurrency),
            policy=self.policy,
        )

    @property
    def service_deps(self) -> Deps:
        return Deps(sending=self.deps, credit=self.credit)


@pytest.fixture
def world() -> World:
    return World()
