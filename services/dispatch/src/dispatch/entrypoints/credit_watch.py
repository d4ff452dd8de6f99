"""Reads the SMS credit balance of every Firetext account now and then, for the
``dispatch_sms_credit_balance`` gauge and its "credit low" alert: running out mid-send pauses
a campaign, so operators should hear of it before staff do."""

import asyncio
import logging
from collections.abc import Iterable

from prometheus_client import Counter, Gauge

from cohort_platform.tasks import cancel_and_wait

from ..domain.errors import CreditUnavailable
from ..ports import CreditSource

log = logging.getLogger("dispatch.credit_watch")

#: The account used by every organisation without its own (``DISPATCH_FIRETEXT_API_KEY``).
DEFAULT_ACCOUNT = "default"

CREDIT_BALANCE = Gauge(
    "dispatch_sms_credit_balance",
    "SMS credits left at the provider, by account ('default' or the ODS code of an "
    "organisation with its own account), as last read",
    ["account"],
)
CREDIT_CHECKS = Counter(
    "dispatch_sms_credit_checks", "Credit balance reads, by outcome", ["outcome"]
)


class CreditWatch:
    def __init__(self, credit: CreditSource, accounts: Iterable[str], interval_s: float) -> None:
        self._credit = credit
        self._accounts = [DEFAULT_ACCOUNT, *accounts]
        self._interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._interval_s > 0:
            self._task = asyncio.create_task(self._watch())

    async def stop(self) -> None:
        await cancel_and_wait(self._task)

    async def check(self) -> None:
        for account in self._accounts:
            try:
                # An organisation without an account of its own is served by the default one.
                balance = await self._credit.credit(account)
            except CreditUnavailable:
                CREDIT_CHECKS.labels("unavailable").inc()
                log.warning("credit balance unavailable", extra={"account": account})
                continue
            CREDIT_CHECKS.labels("read").inc()
            CREDIT_BALANCE.labels(account).set(balance.credits)

    async def _watch(self) -> None:
        while True:
            await self.check()
            await asyncio.sleep(self._interval_s)
