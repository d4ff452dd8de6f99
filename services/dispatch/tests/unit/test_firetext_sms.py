"""The Firetext adapter against real local servers (uvicorn, raw TCP): real connect errors,
read timeouts and dropped connections, classified as safe-to-retry or outcome-unknown."""

import logging
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import aiohttp
import httpx2
import pytest
from pydantic import SecretStr

from cohort_contracts.vocabulary import SendReason
from cohort_platform.webhooks import receipt_token
from dispatch.adapters.firetext_sms import (
    FiretextAccount,
    FiretextSmsSender,
    firetext_number,
    make_http_client,
)
from dispatch.domain import reasons
from dispatch.domain.errors import (
    OutcomeUnknownError,
    PermanentSendError,
    ProviderConfigurationError,
    RetryableSendError,
)
from dispatch.domain.grouping import ProviderRequest, single

from ..builders import ORG, make_outbound
from ..logs import everything_logged
from ..servers import FiretextDouble, Reply, misbehaving, refused_url, serve, unanswered_connect

API_KEY = "live-api-key-0123456789"
SECRET = "webhook-secret-for-tests"
RECEIPTS = "http://gateway.test/v1/webhooks/firetext/receipts"


def sender_for(
    base_url: str, accounts: dict[str, FiretextAccount] | None = None
) -> FiretextSmsSender:
    client = make_http_client(
        connect_timeout=0.3, read_timeout=0.3, pool_timeout=1.0, max_connections=10
    )
    return FiretextSmsSender(
        client,
        base_url=base_url,
        default_account=FiretextAccount(SecretStr(API_KEY), "Cohort"),
        accounts=accounts,
        receipt_base_url=RECEIPTS,
        webhook_secret=SecretStr(SECRET),
        credit_timeout_s=0.5,
    )


@pytest.fixture
async def double() -> AsyncIterator[FiretextDouble]:
    fake = FiretextDouble()
    yield fake
    fake.release.set()


async def send_one_to(base_url: str) -> None:
    """One text through a sender of its own, closed afterwards whatever happened."""
    adapter = sender_for(base_url)
    try:
        await adapter.send_sms(single(make_outbound()), org_id=ORG)
    finally:
        await adapter.aclose()


@pytest.fixture
async def sender(double: FiretextDouble) -> AsyncIterator[FiretextSmsSender]:
    async with serve(double.app()) as url:
        adapter = sender_for(url)
        yield adapter
        await adapter.aclose()
        double.release.set()


async def test_posts_one_recipient_form_encoded_and_returns_the_message_id(
    sender: FiretextSmsSender, double: FiretextDouble
) -> None:
    message = make_outbound("r-1", to="447700900123", body="Your jab is due £5 — ok?")

    provider_reference = await sender.send_sms(single(message), org_id=ORG)

    assert provider_reference == "ftmsg-1"
    (form,) = double.requests
    receipt = form.pop("receipt")
    assert form == {
        "apiKey": API_KEY,
        "from": "Cohort",
        "to": "447700900123",
        "message": "Your jab is due £5 — ok?",
        "reference": "r-1",
    }
    parts = urlsplit(receipt)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == RECEIPTS
    assert parse_qs(parts.query) == {"org": [ORG], "token": [receipt_token(SECRET, ORG)]}


@pytest.mark.parametrize(
    ("code", "reason_code", "reason"),
    [
        (2, SendReason.PROVIDER_REJECTED_NUMBER, reasons.SMS_REJECTED_NUMBER),
        ("5", SendReason.PROVIDER_REJECTED_MESSAGE, reasons.SMS_REJECTED_MESSAGE),
    ],
)
async def test_refusals_of_the_message_are_permanent(
    sender: FiretextSmsSender,
    double: FiretextDouble,
    code: int | str,
    reason_code: SendReason,
    reason: str,
) -> None:
    double.script.append(Reply(code=code))

    with pytest.raises(PermanentSendError) as refused:
        await sender.send_sms(single(make_outbound()), org_id=ORG)

    assert not isinstance(refused.value, ProviderConfigurationError)
    assert (refused.value.reason_code, refused.value.reason) == (reason_code, reason)


@pytest.mark.parametrize(
    ("code", "mentions"),
    [
        (1, "API key"),
        (3, "sender name"),
        (8, "delivery-receipt"),
        (9, "sub-account"),
        (4, "error 4"),
        ("12", "error 12"),
    ],
)
async def test_configuration_codes_fail_with_a_clear_reason(
    sender: FiretextSmsSender, double: FiretextDouble, code: int | str, mentions: str
) -> None:
    double.script.append(Reply(code=code))

    with pytest.raises(ProviderConfigurationError) as refused:
        await sender.send_sms(single(make_outbound()), org_id=ORG)

    assert refused.value.provider_code == str(code)
    assert refused.value.reason_code == SendReason.PROVIDER_CONFIGURATION_ERROR
    assert mentions in refused.value.reason
    assert "not set up correctly" in refused.value.reason
    assert "resume the campaign" in refused.value.reason


async def test_insufficient_credit_says_to_top_up(
    sender: FiretextSmsSender, double: FiretextDouble
) -> None:
    double.script.append(Reply(code=7))

    with pytest.raises(ProviderConfigurationError) as refused:
        await sender.send_sms(single(make_outbound()), org_id=ORG)

    assert (refused.value.provider_code, refused.value.reason) == ("7", reasons.SMS_NO_CREDIT)
    assert refused.value.reason_code == SendReason.INSUFFICIENT_CREDIT


async def test_a_refused_text_longer_than_firetext_takes_says_it_is_too_long(
    sender: FiretextSmsSender, double: FiretextDouble
) -> None:
    double.script.append(Reply(code=5))

    with pytest.raises(PermanentSendError) as refused:
        await sender.send_sms(single(make_outbound(body="x" * 613)), org_id=ORG)

    assert refused.value.reason_code == SendReason.MESSAGE_TOO_LONG
    assert "612 characters" in refused.value.reason


async def test_a_group_is_one_request_to_comma_separated_numbers_under_its_reference(
    sender: FiretextSmsSender, double: FiretextDouble
) -> None:
    messages = tuple(
        make_outbound(f"r-{i}", to=to, body="Flu jabs on Saturday")
        for i, to in enumerate(["447700900001", "07700 900002", "+447700900003"])
    )
    request = ProviderRequest("g-0123456789abcdef0123456789abcdef", messages)

    await sender.send_sms(request, org_id=ORG)

    (form,) = double.requests
    assert form["to"] == "447700900001,447700900002,447700900003"
    assert form["reference"] == request.reference
    assert form["message"] == "Flu jabs on Saturday"


async def test_an_organisation_with_its_own_account_sends_through_it(
    double: FiretextDouble,
) -> None:
    own = FiretextAccount(SecretStr("practice-own-key-42"), "HighStSurg")
    async with serve(double.app()) as url:
        adapter = sender_for(url, accounts={"B82002": own})
        try:
            await adapter.send_sms(single(make_outbound()), org_id="B82002")
            await adapter.send_sms(single(make_outbound()), org_id=ORG)
            await adapter.credit("B82002")
        finally:
            await adapter.aclose()

    own_form, default_form = double.requests
    assert (own_form["apiKey"], own_form["from"]) == ("practice-own-key-42", "HighStSurg")
    assert (default_form["apiKey"], default_form["from"]) == (API_KEY, "Cohort")
    assert double.credit_requests == [{"apiKey": "practice-own-key-42"}]


@pytest.mark.parametrize(
    ("status", "error"),
    [
        *[(status, RetryableSendError) for status in (500, 503, 429, 408)],  # it did not queue it
        *[(status, OutcomeUnknownError) for status in (502, 504)],  # a proxy gave up on Firetext
    ],
)
async def test_a_failing_answer_says_whether_firetext_may_have_taken_it(
    sender: FiretextSmsSender, double: FiretextDouble, status: int, error: type[Exception]
) -> None:
    double.script.append(Reply(code=None, http_status=status))

    with pytest.raises(error):
        await sender.send_sms(single(make_outbound()), org_id=ORG)


@pytest.mark.parametrize("status", [401, 403, 404])
async def test_other_http_errors_are_configuration_errors(
    sender: FiretextSmsSender, double: FiretextDouble, status: int
) -> None:
    double.script.append(Reply(code=None, http_status=status))

    with pytest.raises(ProviderConfigurationError) as refused:
        await sender.send_sms(single(make_outbound()), org_id=ORG)

    assert refused.value.provider_code == f"http-{status}"


@pytest.mark.parametrize("body", ["0:1 SMS successfully queued", "{}", '{"code": "zero"}'])
async def test_an_unreadable_200_may_be_an_accepted_message(
    sender: FiretextSmsSender, double: FiretextDouble, body: str
) -> None:
    double.script.append(Reply(body=body))

    with pytest.raises(OutcomeUnknownError):
        await sender.send_sms(single(make_outbound()), org_id=ORG)


async def test_a_read_timeout_is_outcome_unknown_because_firetext_had_the_request(
    sender: FiretextSmsSender, double: FiretextDouble
) -> None:
    double.script.append(Reply(hang=True))

    with pytest.raises(OutcomeUnknownError) as unknown:
        await sender.send_sms(single(make_outbound()), org_id=ORG)

    assert len(double.requests) == 1
    assert isinstance(unknown.value.__cause__, httpx2.ReadTimeout)
    assert isinstance(unknown.value.__cause__.__cause__, aiohttp.SocketTimeoutError)


async def test_a_refused_connection_is_retryable() -> None:
    with pytest.raises(RetryableSendError) as refused:
        await send_one_to(refused_url())

    # The transport reports a refused connection as httpx2.ConnectTimeout; the aiohttp cause
    # is what says no byte was sent.
    transport_error = refused.value.__cause__
    assert isinstance(transport_error, httpx2.ConnectTimeout)
    assert isinstance(transport_error.__cause__, aiohttp.ClientConnectorError)


async def test_a_connect_timeout_is_retryable() -> None:
    async with unanswered_connect() as url:
        with pytest.raises(RetryableSendError) as timed_out:
            await send_one_to(url)

    assert isinstance(timed_out.value.__cause__, httpx2.ConnectTimeout)
    assert isinstance(timed_out.value.__cause__.__cause__, aiohttp.ConnectionTimeoutError)


@pytest.mark.parametrize("kind", ["close", "reset", "truncate"])
async def test_a_connection_lost_after_the_request_was_written_is_outcome_unknown(
    kind: str,
) -> None:
    async with misbehaving(kind) as (url, received):
        with pytest.raises(OutcomeUnknownError) as unknown:
            await send_one_to(url)

    assert received == [1]  # the server had the whole request
    if kind != "truncate":
        # The trap: httpx_aiohttp calls this a *connect* timeout too.
        assert isinstance(unknown.value.__cause__, httpx2.ConnectTimeout)


async def test_a_number_that_cannot_be_sent_to_is_refused_without_calling_firetext(
    sender: FiretextSmsSender, double: FiretextDouble
) -> None:
    with pytest.raises(PermanentSendError) as refused:
        await sender.send_sms(single(make_outbound(to="not-a-number")), org_id=ORG)

    assert refused.value.reason_code == SendReason.INVALID_NUMBER
    assert double.requests == []


def test_numbers_are_sent_as_international_digits() -> None:
    # Which numbers become which digits is cohort_nhs.international_digits' rule, tested there
    # case by case; Firetext's part is the digits without a "+".
    assert firetext_number("+44 7700 900123") == "447700900123"


async def test_logs_carry_ids_only(
    sender: FiretextSmsSender, double: FiretextDouble, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    double.script.append(Reply(code=2))
    message = make_outbound("r-log", to="447700900999", body="Secret body text")

    with pytest.raises(PermanentSendError):
        await sender.send_sms(single(message), org_id=ORG)
    await sender.send_sms(single(message), org_id=ORG)

    logged = everything_logged(caplog)
    assert "r-log" in logged
    for secret in (API_KEY, receipt_token(SECRET, ORG), "447700900999", "Secret body text"):
        assert secret not in logged
