"""Claims recipients from campaign over the platform's request/reply client.

A claim that gets no answer (campaign restarting, the broker restarting under both, this
process's connection being re-established) is asked
again here, with the same message, rather than by failing the batch: every failed delivery
counts towards the send queue's delivery limit, and a few minutes of outage would otherwise
dead-letter every batch in flight. Campaign keys a claim by its message id, so asking again
returns what the first asking claimed (if it was applied and only the answer was lost)
instead of nothing."""

import logging

from tenacity import RetryCallState

from cohort_contracts.campaign_requests import ClaimMessages, read_reply
from cohort_contracts.campaign_views import ClaimResult
from cohort_contracts.envelope import utc_now
from cohort_contracts.routing import CAMPAIGN_REQUESTS
from cohort_platform.errors import describe
from cohort_platform.redelivery import PermanentError
from cohort_platform.rpc import RpcClient, RpcTimeout

from ..domain.retry_policy import RetryPolicy

log = logging.getLogger("dispatch.claims")


class ClaimRefused(Exception):
    """Campaign answered the claim with an error that may pass (``conflict``, ``unavailable``)."""


#: Rides out about a minute of campaign not answering: six requests of up to
#: ``COHORT_RPC_TIMEOUT_S`` each, with growing pauses between them.
CLAIM_RETRY = RetryPolicy(attempts=6)


class RpcCampaignClaims:
    def __init__(self, rpc: RpcClient, retry: RetryPolicy = CLAIM_RETRY) -> None:
        self._rpc = rpc
        self._retry = retry

    async def claim(self, request: ClaimMessages) -> list[str]:
        """The ids campaign claimed. Raises ``PermanentError`` for an answer that cannot change,
        and, after the last attempt, ``RpcTimeout`` (``RpcUnavailable`` included) or
        ``ClaimRefused`` (the batch is then redelivered; nothing of it was sent)."""
        retrying = self._retry.retrying((RpcTimeout, ClaimRefused), before_sleep=_asking_again)
        return await retrying(self._ask, request)

    async def _ask(self, request: ClaimMessages) -> list[str]:
        # The same message id (campaign's key for the claim), stamped afresh: campaign refuses
        # a claim made longer ago than its deadline as given up.
        fresh = request.model_copy(update={"occurred_at": utc_now()})
        reply = read_reply(await self._rpc.call(fresh, CAMPAIGN_REQUESTS), ClaimResult)
        if reply.error is not None:
            if reply.error.code in ("not_found", "invalid"):
                # Asking again cannot help (no such campaign, or a request it cannot read).
                raise PermanentError(f"claim refused: {reply.error.code}")
            raise ClaimRefused(reply.error.code)
        if reply.result is None:
            raise ClaimRefused("empty reply")
        return reply.result.claimed


def _asking_again(state: RetryCallState) -> None:
    failure = state.outcome.exception() if state.outcome is not None else None
    log.warning(
        "claim not answered; asking again",
        extra={
            "attempt": state.attempt_number,
            **(describe(failure) if failure is not None else {}),
        },
    )
