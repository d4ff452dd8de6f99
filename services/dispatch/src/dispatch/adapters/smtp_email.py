"""Email through an SMTP relay (aiosmtplib), one connection per message.

Acceptance by the relay (250 after the message data) is final for us: ``delivered``. The relay
saying 5xx is a refusal; 4xx, or a connection lost *before* the message data was sent, is safe
to retry. A connection lost or timed out while the relay was taking or acknowledging the data
may mean it has the message (RFC 1047's duplicate problem), so that is outcome unknown."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import make_msgid

import aiosmtplib
from aiosmtplib import (
    SMTPAuthenticationError,
    SMTPException,
    SMTPRecipientRefused,
    SMTPResponseException,
)
from pydantic import SecretStr

from cohort_contracts.sending import OutboundMessage
from cohort_contracts.vocabulary import SendReason

from ..domain import reasons
from ..domain.errors import (
    OutcomeUnknownError,
    PermanentSendError,
    ProviderConfigurationError,
    RetryableSendError,
)
from .base import EmailClient

_ADDRESS = re.compile(r"[\x21-\x7e]+@[A-Za-z0-9.-]+\.[A-Za-z0-9-]+")
_NETWORK_ERRORS = (SMTPException, OSError, TimeoutError)


def _domain_of(address: str) -> str:
    return address.rpartition("@")[2] or "cohort.invalid"


def _transient(code: int) -> bool:
    return 400 <= code < 500


@dataclass(frozen=True)
class SmtpSettings:
    """The relay and what mail through it is sent as (``DISPATCH_SMTP_*``)."""

    host: str
    port: int
    sender: str
    timeout: float
    default_subject: str
    username: str | None = None
    password: SecretStr | None = None
    use_tls: bool = False
    start_tls: bool | None = None
    #: The From address per organisation (ODS code); ``sender`` for the rest.
    senders: Mapping[str, str] = field(default_factory=dict)


class SmtpEmailSender(EmailClient):
    provider = "smtp"

    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings

    def sender_for(self, org_id: str) -> str:
        return self._settings.senders.get(org_id, self._settings.sender)

    async def _send(self, message: OutboundMessage, org_id: str) -> str | None:
        sender = self.sender_for(org_id)
        msgid_domain = _domain_of(sender)
        content, message_id = self._compose(message, sender, msgid_domain)
        relay = self._settings
        smtp = aiosmtplib.SMTP(
            hostname=relay.host,
            port=relay.port,
            timeout=relay.timeout,
            use_tls=relay.use_tls,
            start_tls=relay.start_tls,
            username=relay.username,
            password=relay.password.get_secret_value() if relay.password else None,
            local_hostname=msgid_domain,
        )
        try:
            await _connect(smtp)
            await _envelope(smtp, sender, message.to)
            await _data(smtp, content)
        finally:
            await _quit(smtp)
        return message_id

    def _compose(self, message: OutboundMessage, sender: str, domain: str) -> tuple[bytes, str]:
        if not _ADDRESS.fullmatch(message.to):
            raise PermanentSendError(
                reasons.EMAIL_REJECTED_ADDRESS, reason_code=SendReason.PROVIDER_REJECTED_ADDRESS
            )
        email = EmailMessage(policy=SMTP_POLICY)
        message_id = make_msgid(domain=domain)
        email["From"] = sender
        email["To"] = message.to
        email["Subject"] = message.subject or self._settings.default_subject
        email["Message-ID"] = message_id
        if message.unsubscribe_url is not None:
            # RFC 2369 and RFC 8058: mail clients offer one-click unsubscribe, which POSTs
            # "List-Unsubscribe=One-Click" to the URL (the relay's DKIM signature must cover
            # both headers for the big providers to show it).
            email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
            email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        email.set_content(message.body)
        return email.as_bytes(), message_id


async def _connect(smtp: aiosmtplib.SMTP) -> None:
    try:
        await smtp.connect()
    except SMTPAuthenticationError as exc:
        if _transient(exc.code):
            raise RetryableSendError(reasons.EMAIL_UNAVAILABLE) from exc
        raise ProviderConfigurationError(
            reasons.email_configuration("the email server refused Cohort's login"),
            provider_code=str(exc.code),
        ) from exc
    except SMTPResponseException as exc:
        if exc.code >= 500:
            raise ProviderConfigurationError(
                reasons.email_configuration(
                    f"the email server refused the connection ({exc.code})"
                ),
                provider_code=str(exc.code),
            ) from exc
        raise RetryableSendError(reasons.EMAIL_UNAVAILABLE) from exc
    except _NETWORK_ERRORS as exc:
        raise RetryableSendError(reasons.EMAIL_UNAVAILABLE) from exc


async def _envelope(smtp: aiosmtplib.SMTP, sender: str, to: str) -> None:
    """MAIL FROM and RCPT TO: nothing of the message has been handed over yet."""
    try:
        await smtp.mail(sender)
        await smtp.rcpt(to)
    except SMTPResponseException as exc:
        if exc.code < 500:
            raise RetryableSendError(reasons.EMAIL_UNAVAILABLE) from exc
        if isinstance(exc, SMTPRecipientRefused):
            raise PermanentSendError(
                reasons.EMAIL_REJECTED_ADDRESS, reason_code=SendReason.PROVIDER_REJECTED_ADDRESS
            ) from exc
        raise ProviderConfigurationError(
            reasons.email_configuration(f"the email server refused the sender ({exc.code})"),
            provider_code=str(exc.code),
        ) from exc
    except _NETWORK_ERRORS as exc:
        raise RetryableSendError(reasons.EMAIL_UNAVAILABLE) from exc


async def _data(smtp: aiosmtplib.SMTP, content: bytes) -> None:
    try:
        await smtp.data(content)
    except SMTPResponseException as exc:
        # The relay answered, so it did not take the message.
        if _transient(exc.code):
            raise RetryableSendError(reasons.EMAIL_UNAVAILABLE) from exc
        raise PermanentSendError(
            reasons.EMAIL_REJECTED_MESSAGE, reason_code=SendReason.PROVIDER_REJECTED_MESSAGE
        ) from exc
    except _NETWORK_ERRORS as exc:
        raise OutcomeUnknownError(reasons.EMAIL_UNKNOWN) from exc


async def _quit(smtp: aiosmtplib.SMTP) -> None:
    if not smtp.is_connected:
        return
    try:
        await smtp.quit()
    except _NETWORK_ERRORS:
        smtp.close()
