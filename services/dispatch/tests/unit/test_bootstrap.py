"""Adapter selection by settings, and the stubs that ship in src."""

import pytest

from dispatch.adapters.firetext_sms import FiretextSmsSender
from dispatch.adapters.smtp_email import SmtpEmailSender
from dispatch.adapters.stubs import StubEmailSender, StubSmsSender
from dispatch.bootstrap import open_senders, rate_limiter
from dispatch.config import Settings

from ..builders import ORG, make_outbound


async def test_real_providers_by_default() -> None:
    async with open_senders(Settings()) as senders:
        assert isinstance(senders.sms, FiretextSmsSender)
        assert isinstance(senders.email, SmtpEmailSender)


async def test_stub_providers_by_setting() -> None:
    async with open_senders(Settings(sms_provider="stub", email_provider="stub")) as senders:
        assert isinstance(senders.sms, StubSmsSender)
        assert isinstance(senders.email, StubEmailSender)


async def test_stubs_accept_everything() -> None:
    sms_ref = await StubSmsSender().send_sms(make_outbound(to="nonsense"), org_id=ORG)
    email_ref = await StubEmailSender().send_email(make_outbound(to="x"), org_id=ORG)
    assert sms_ref
    assert sms_ref.startswith("stub-")
    assert email_ref
    assert email_ref.startswith("<stub-")


@pytest.mark.parametrize(("rate", "max_rate", "period"), [(20, 20, 1.0), (0.5, 1, 2.0)])
def test_rate_limiter(rate: float, max_rate: float, period: float) -> None:
    limiter = rate_limiter(rate)
    assert (limiter.max_rate, limiter.time_period) == (max_rate, period)
