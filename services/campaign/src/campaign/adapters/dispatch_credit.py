"""Asks dispatch (which holds the provider accounts) for the SMS credit balance."""

import logging
import uuid

from cohort_contracts.campaign_requests import read_reply
from cohort_contracts.dispatch_requests import CreditBalance, GetCredit
from cohort_contracts.routing import DISPATCH_REQUESTS
from cohort_platform.rpc import RpcClient

log = logging.getLogger(__name__)


class DispatchCreditSource:
    def __init__(self, rpc: RpcClient) -> None:
        self._rpc = rpc

    async def balance(self, org_id: str) -> int | None:
        request = GetCredit(correlation_id=uuid.uuid4(), org_id=org_id, actor="campaign")
        try:
            reply = read_reply(await self._rpc.call(request, DISPATCH_REQUESTS), CreditBalance)
        except Exception as exc:  # a balance we cannot read never breaks a review
            log.warning("credit balance unavailable", extra={"error": type(exc).__name__})
            return None
        if reply.result is None:
            log.warning("credit balance unavailable", extra={"org_id": org_id})
            return None
        return reply.result.credits
