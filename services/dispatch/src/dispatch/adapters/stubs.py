"""Providers that accept everything and reach no one: for e2e runs and staging without a
Firetext account or a relay (``DISPATCH_SMS_PROVIDER=stub``, ``DISPATCH_EMAIL_PROVIDER=stub``).
They send no receipts, so stubbed SMS stay ``sent``."""

import uuid

from cohort_contracts.sending import OutboundMessage

from .base import EmailClient, SmsClient


class StubSmsSender(SmsClient):
    provider = "stub-sms"

    async def _send(self, message: OutboundMessage, org_id: str) -> str | None:
        return f"stub-{uuid.uuid4().hex}"


class StubEmailSender(EmailClient):
    provider = "stub-email"

    async def _send(self, message: OutboundMessage, org_id: str) -> str | None:
        return f"<stub-{uuid.uuid4().hex}@cohort.invalid>"
