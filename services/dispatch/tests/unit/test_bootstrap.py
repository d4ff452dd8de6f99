"""Adapter selection by settings, and the stubs that ship in src."""

import pytest
from prometheus_client import REGISTRY

from cohort_platform.rate_limiter import TokenBucket
from dispatch.adapters.firetext_sms import FiretextSmsSender
from dispatch.adapters.smtp_email import SmtpEmailSender
from dispatch.adapters.stubs import STUB_CREDITS, StubEmailSender, StubSmsSender
from dispatch.bootstrap import firetext_sender, open_senders, rate_limiter, sms_rate_sharer
from dispatch.config import Settings
from dispatch.domain.grouping import single

from ..builders import ORG, make_outbound


class FakeConsumerCounter:
    def __init__(self, count: int) -> None:
        self.count = count

    async def consumers(self) -> int:
        return self.count


async def test_real_providers_by_default() -> None:
    async with open_senders(Settings()) as senders:
        assert isinstance(senders.sms, FiretextSmsSender)
        assert isinstance(senders.email, SmtpEmailSender)


async def test_stub_providers_by_setting() -> None:
    async with open_senders(Settings(sms_provider="stub", email_provider="stub")) as senders:
        assert isinstance(senders.sms, StubSmsSender)
        assert isinstance(senders.email, StubEmailSender)


async def test_stubs_accept_everything() -> None:
    sms_ref = await StubSmsSender().send_sms(single(make_outbound(to="nonsense")), org_id=ORG)
    email_ref = await StubEmailSender().send_email(make_outbound(to="x"), org_id=ORG)
    assert sms_ref
    assert sms_ref.startswith("stub-")
    assert email_ref
    assert email_ref.startswith("<stub-")
    assert (await StubSmsSender().credit(ORG)).credits == STUB_CREDITS


async def test_the_credit_source_is_the_sms_provider() -> None:
    async with open_senders(Settings()) as senders:
        assert isinstance(senders.credit, FiretextSmsSender)
        assert senders.credit is senders.sms


async def test_organisations_with_their_own_firetext_account_use_it() -> None:
    settings = Settings(
        firetext_accounts={
            "B82002": {"api_key": "own-key-1234567", "sender_id": "HighStSurg"},
            "C83003": {"api_key": "other-key-7654321"},
        }
    )
    sender = firetext_sender(settings)
    try:
        own, no_sender, default = (sender.account_for(org) for org in ("B82002", "C83003", ORG))
    finally:
        await sender.aclose()

    assert (own.api_key.get_secret_value(), own.sender_id) == ("own-key-1234567", "HighStSurg")
    assert (no_sender.api_key.get_secret_value(), no_sender.sender_id) == (
        "other-key-7654321",
        "Cohort",  # DISPATCH_SMS_SENDER_ID
    )
    assert default.api_key.get_secret_value() == "test-api-key"


async def test_the_sms_rate_is_shared_by_the_instances_on_the_send_queue() -> None:
    limiter = TokenBucket(30)
    sharer = sms_rate_sharer(Settings(sms_rate_limit=30), limiter, FakeConsumerCounter(3))

    assert await sharer.refresh() == 10
    assert limiter.rate == 10
    assert REGISTRY.get_sample_value("dispatch_sms_rate_limit_per_second") == 10
    assert REGISTRY.get_sample_value("dispatch_sms_rate_sharing_instances") == 3


@pytest.mark.parametrize(("rate", "max_rate", "period"), [(20, 20, 1.0), (0.5, 1, 2.0)])
def test_rate_limiter(rate: float, max_rate: float, period: float) -> None:
    limiter = rate_limiter(rate)
    assert (limiter.max_rate, limiter.time_period) == (max_rate, period)
