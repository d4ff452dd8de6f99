"""The SMTP adapter against a real in-process SMTP server (aiosmtpd)."""

import asyncio
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest

from cohort_contracts.vocabulary import SendReason
from cohort_testing.ports import free_port
from cohort_testing.smtp_relay import smtp_relay
from dispatch.adapters.smtp_email import SmtpEmailSender, SmtpSettings
from dispatch.domain import reasons
from dispatch.domain.errors import (
    OutcomeUnknownError,
    PermanentSendError,
    ProviderConfigurationError,
    RetryableSendError,
)

from ..builders import ORG, make_outbound


class Relay:
    """An SMTP handler whose answers tests can script per recipient address."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.rcpt_reply: dict[str, str] = {}
        self.mail_reply: str | None = None
        self.data_reply: str | None = None
        self.data_delay = 0.0

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, mail_options: list[str]
    ) -> str:
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.rcpt_reply:
            return self.rcpt_reply[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        if self.data_reply:
            return self.data_reply
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(parsed)
        return "250 Message accepted for delivery"


@pytest.fixture
def relay() -> Iterator[tuple[Relay, int]]:
    handler = Relay()
    with smtp_relay(handler) as port:
        yield handler, port


def sender_on(
    port: int, *, timeout: float = 2.0, senders: dict[str, str] | None = None
) -> SmtpEmailSender:
    return SmtpEmailSender(
        SmtpSettings(
            host="127.0.0.1",
            port=port,
            sender="practice@cohort.test",
            senders=senders or {},
            timeout=timeout,
            default_subject="A message from your GP practice",
            start_tls=False,
        )
    )


async def test_an_accepted_email_reaches_the_relay_once(relay: tuple[Relay, int]) -> None:
    server, port = relay
    message = make_outbound("r-1", to="ann@example.org", body="Hello Ann — £5 ✓", subject="Flu")

    reference = await sender_on(port).send_email(message, org_id=ORG)

    (email,) = server.received
    assert server.envelopes == [("practice@cohort.test", ["ann@example.org"])]
    assert email["Subject"] == "Flu"
    assert email["To"] == "ann@example.org"
    assert email["Message-ID"] == reference
    assert email.get_content().strip() == "Hello Ann — £5 ✓"


async def test_an_email_with_an_unsubscribe_link_offers_one_click_unsubscribe(
    relay: tuple[Relay, int],
) -> None:
    server, port = relay
    url = "https://cohort.example/v1/unsubscribe/A81001.abc.def"
    message = make_outbound("r-1", to="ann@example.org", body="Hello").model_copy(
        update={"unsubscribe_url": url}
    )

    await sender_on(port).send_email(message, org_id=ORG)
    await sender_on(port).send_email(make_outbound("r-2", to="bob@example.org"), org_id=ORG)

    with_link, without = server.received
    assert with_link["List-Unsubscribe"] == f"<{url}>"
    assert with_link["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert without["List-Unsubscribe"] is None


async def test_an_organisation_with_its_own_sender_sends_from_it(
    relay: tuple[Relay, int],
) -> None:
    server, port = relay
    sender = sender_on(port, senders={"B82002": "surgery@example.nhs.uk"})

    reference = await sender.send_email(make_outbound(to="ann@example.org"), org_id="B82002")
    await sender.send_email(make_outbound(to="bob@example.org"), org_id=ORG)

    own, default = server.received
    assert server.envelopes == [
        ("surgery@example.nhs.uk", ["ann@example.org"]),
        ("practice@cohort.test", ["bob@example.org"]),
    ]
    assert (own["From"], default["From"]) == ("surgery@example.nhs.uk", "practice@cohort.test")
    assert reference
    assert reference.endswith("@example.nhs.uk>")


async def test_without_a_subject_the_default_is_used(relay: tuple[Relay, int]) -> None:
    server, port = relay

    await sender_on(port).send_email(make_outbound(to="ann@example.org"), org_id=ORG)

    assert server.received[0]["Subject"] == "A message from your GP practice"


async def test_a_refused_address_fails_permanently(relay: tuple[Relay, int]) -> None:
    server, port = relay
    server.rcpt_reply["gone@example.org"] = "550 5.1.1 No such user"

    with pytest.raises(PermanentSendError) as refused:
        await sender_on(port).send_email(make_outbound(to="gone@example.org"), org_id=ORG)

    assert refused.value.reason_code == SendReason.PROVIDER_REJECTED_ADDRESS
    assert refused.value.reason == reasons.EMAIL_REJECTED_ADDRESS
    assert server.received == []


async def test_a_refused_message_fails_permanently(relay: tuple[Relay, int]) -> None:
    server, port = relay
    server.data_reply = "554 5.6.0 Message rejected"

    with pytest.raises(PermanentSendError) as refused:
        await sender_on(port).send_email(make_outbound(to="ann@example.org"), org_id=ORG)

    assert refused.value.reason_code == SendReason.PROVIDER_REJECTED_MESSAGE


async def test_a_refused_sender_is_a_configuration_error(relay: tuple[Relay, int]) -> None:
    server, port = relay
    server.mail_reply = "553 5.7.1 Sender not allowed"

    with pytest.raises(ProviderConfigurationError):
        await sender_on(port).send_email(make_outbound(to="ann@example.org"), org_id=ORG)


@pytest.mark.parametrize("stage", ["rcpt", "data"])
async def test_a_temporary_refusal_is_retryable(relay: tuple[Relay, int], stage: str) -> None:
    server, port = relay
    if stage == "rcpt":
        server.rcpt_reply["ann@example.org"] = "450 4.2.1 Mailbox busy, try later"
    else:
        server.data_reply = "451 4.3.0 Local error, try later"

    with pytest.raises(RetryableSendError):
        await sender_on(port).send_email(make_outbound(to="ann@example.org"), org_id=ORG)


async def test_no_relay_is_retryable() -> None:
    with pytest.raises(RetryableSendError):
        await sender_on(free_port()).send_email(make_outbound(to="ann@example.org"), org_id=ORG)


async def test_no_answer_after_the_message_data_is_outcome_unknown(
    relay: tuple[Relay, int],
) -> None:
    server, port = relay
    server.data_delay = 1.0

    with pytest.raises(OutcomeUnknownError):
        await sender_on(port, timeout=0.3).send_email(
            make_outbound(to="ann@example.org"), org_id=ORG
        )


@pytest.mark.parametrize(
    "address", ["not-an-address", "ann@example.org\r\nBcc: x@y.z", "ann@example.org\n", ""]
)
async def test_an_unusable_address_is_refused_without_calling_the_relay(
    relay: tuple[Relay, int], address: str
) -> None:
    server, port = relay

    with pytest.raises(PermanentSendError):
        await sender_on(port).send_email(make_outbound(to=address), org_id=ORG)

    assert server.envelopes == []
