"""Providers that accept everything and reach no one: for e2e runs and staging without a
Firetext account or a relay (``DISPATCH_SMS_PROVIDER=stub``, ``DISPATCH_EMAIL_PROVIDER=stub``).
They send no receipts, so stubbed SMS stay ``sent``."""

import uuid

from cohort_contracts.dispatch_requests import CreditBalance
from cohort_contracts.sending import OutboundMessage

from ..domain.grouping import ProviderRequest
from .base import EmailClient, SmsClient

#: What the stub reports as its balance: plenty, so a review never warns of low credit.
STUB_CREDITS = 1_000_000


class StubSmsSender(SmsClient):
    provider = "stub-sms"

    async def _send(self, request: ProviderRequest, org_id: str) -> str | None:
        return f"stub-{uuid.uuid4().hex}"

    async def credit(self, org_id: str) -> CreditBalance:
        return CreditBalance(provider=self.provider, credits=STUB_CREDITS)


class StubEmailSender(EmailClient):
    provider = "stub-email"

    async def _send(self, message: OutboundMessage, org_id: str) -> str | None:
        return f"<stub-{uuid.uuid4().hex}@cohort.invalid>"
