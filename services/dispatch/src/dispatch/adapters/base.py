"""Thin base for provider adapters: times each call and logs its outcome by ids only (the
template method of Notify's ``SmsClient.send_sms``). Subclasses implement ``_send``."""

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from typing import ClassVar

from prometheus_client import Histogram

from cohort_contracts.dispatch_requests import CreditBalance
from cohort_contracts.sending import OutboundMessage
from cohort_platform.tracing import client_span

from ..domain.errors import (
    OutcomeUnknownError,
    PermanentSendError,
    ProviderConfigurationError,
    RetryableSendError,
)
from ..domain.grouping import ProviderRequest

log = logging.getLogger("dispatch.provider")

PROVIDER_CALL_SECONDS = Histogram(
    "dispatch_provider_call_seconds",
    "Time of one call to a message provider, by provider and outcome",
    ["provider", "outcome"],
)


def _outcome_of(exc: BaseException | None) -> str:
    match exc:
        case None:
            return "accepted"
        case RetryableSendError():
            return "retryable"
        case ProviderConfigurationError():
            return "configuration"
        case PermanentSendError():
            return "rejected"
        case OutcomeUnknownError():
            return "unknown"
        case _:
            return "error"


class ProviderClient(ABC):
    provider: ClassVar[str]

    async def _timed(
        self, call: Callable[[], Awaitable[str | None]], ids: Mapping[str, object]
    ) -> str | None:
        started = time.perf_counter()
        failure: BaseException | None = None
        # Ids and counts only: the span never carries a number, an address or the text.
        with client_span(self.provider, "send", {k: str(v) for k, v in ids.items()}) as span:
            try:
                return await call()
            except BaseException as exc:
                failure = exc
                raise
            finally:
                elapsed = time.perf_counter() - started
                outcome = _outcome_of(failure)
                span.set_attribute("outcome", outcome)
                PROVIDER_CALL_SECONDS.labels(self.provider, outcome).observe(elapsed)
                log.log(
                    logging.DEBUG if failure is None else logging.INFO,
                    "provider call",
                    extra={
                        "provider": self.provider,
                        **ids,
                        "outcome": outcome,
                        "elapsed_ms": round(elapsed * 1000, 1),
                    },
                )


class SmsClient(ProviderClient):
    async def send_sms(self, request: ProviderRequest, *, org_id: str) -> str | None:
        ids = {
            "reference": request.reference,
            "recipients": len(request.messages),
            "org_id": org_id,
        }
        return await self._timed(lambda: self._send(request, org_id), ids)

    @abstractmethod
    async def _send(self, request: ProviderRequest, org_id: str) -> str | None:
        """One attempt; returns the provider's id or raises a ``domain.errors`` type."""

    @abstractmethod
    async def credit(self, org_id: str) -> CreditBalance:
        """The account's balance; raises ``CreditUnavailable``."""


class EmailClient(ProviderClient):
    async def send_email(self, message: OutboundMessage, *, org_id: str) -> str | None:
        ids = {"recipient_id": message.recipient_id, "org_id": org_id}
        return await self._timed(lambda: self._send(message, org_id), ids)

    @abstractmethod
    async def _send(self, message: OutboundMessage, org_id: str) -> str | None:
        """One attempt; returns the provider's id or raises a ``domain.errors`` type."""
