"""The Firetext credit balance (``GET /api/credit/json?apiKey=…``) against a local double, and
the promise that the API key, which that request carries in its URL, reaches no log line."""

import io
import logging
from collections.abc import AsyncIterator, Iterator

import pytest

from cohort_contracts.dispatch_requests import CreditBalance
from cohort_platform.logs import configure_logging
from dispatch.adapters.firetext_sms import FiretextSmsSender
from dispatch.domain import reasons
from dispatch.domain.errors import CreditUnavailable
from dispatch.domain.grouping import single

from ..builders import ORG, make_outbound
from ..servers import FiretextDouble, Reply, refused_url, serve
from .test_firetext_sms import API_KEY, sender_for


@pytest.fixture
async def firetext() -> AsyncIterator[tuple[FiretextDouble, FiretextSmsSender]]:
    double = FiretextDouble()
    async with serve(double.app()) as url:
        adapter = sender_for(url)
        yield double, adapter
        double.release.set()
        await adapter.aclose()


async def test_reads_the_balance_with_the_api_key(
    firetext: tuple[FiretextDouble, FiretextSmsSender],
) -> None:
    double, adapter = firetext
    double.credit_script.append(Reply(response_data=1234))

    assert await adapter.credit(ORG) == CreditBalance(provider="firetext", credits=1234)
    assert double.credit_requests == [{"apiKey": API_KEY}]


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(code=1), reasons.credit_refused("Firetext error 1: the API key was refused")),
        (Reply(code=None, http_status=503), reasons.CREDIT_UNREACHABLE),
        (Reply(body="0:55 credits"), reasons.credit_refused("an answer it could not read")),
        (Reply(hang=True), reasons.CREDIT_UNREACHABLE),
    ],
)
async def test_a_balance_firetext_will_not_give_is_unavailable(
    firetext: tuple[FiretextDouble, FiretextSmsSender], reply: Reply, reason: str
) -> None:
    double, adapter = firetext
    double.credit_script.append(reply)

    with pytest.raises(CreditUnavailable) as unavailable:
        await adapter.credit(ORG)

    assert unavailable.value.reason == reason


async def test_firetext_unreachable_is_unavailable() -> None:
    adapter = sender_for(refused_url())
    try:
        with pytest.raises(CreditUnavailable) as unavailable:
            await adapter.credit(ORG)
    finally:
        await adapter.aclose()

    assert unavailable.value.reason == reasons.CREDIT_UNREACHABLE


@pytest.fixture
def production_logging() -> Iterator[io.StringIO]:
    """The service's own logging set-up (JSON lines), written to a buffer, undone afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    chatty = ["httpx2", "httpx", "httpcore", "aiosmtplib", "uvicorn.access"]
    levels = {name: logging.getLogger(name).level for name in chatty}
    configure_logging("dispatch", "DEBUG")
    (handler,) = root.handlers
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    handler.setStream(buffer)
    try:
        yield buffer
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, old in levels.items():
            logging.getLogger(name).setLevel(old)
        logging.getLogger("uvicorn.access").disabled = False


async def test_no_log_line_contains_the_api_key(production_logging: io.StringIO) -> None:
    double = FiretextDouble()
    double.credit_script += [Reply(response_data=77), Reply(code=None, http_status=500)]
    async with serve(double.app()) as url:
        adapter = sender_for(url)
        try:
            assert (await adapter.credit(ORG)).credits == 77
            with pytest.raises(CreditUnavailable):
                await adapter.credit(ORG)
            await adapter.send_sms(single(make_outbound()), org_id=ORG)
        finally:
            await adapter.aclose()
    unreachable = sender_for(refused_url())
    try:
        with pytest.raises(CreditUnavailable):
            await unreachable.credit(ORG)
    finally:
        await unreachable.aclose()
    logging.getLogger("dispatch.test").info("marker", extra={"org_id": ORG})

    lines = production_logging.getvalue().splitlines()
    assert any('"event":"marker"' in line for line in lines)  # the JSON log really was written
    assert any('"event":"provider call"' in line for line in lines)  # DEBUG lines too
    assert double.credit_requests[0]["apiKey"] == API_KEY  # the key did travel
    assert not [line for line in lines if API_KEY in line]
