"""Claims recipients from campaign over the platform's request/reply client."""

from cohort_contracts.campaign_requests import ClaimMessages, read_reply
from cohort_contracts.campaign_views import ClaimResult
from cohort_contracts.routing import CAMPAIGN_REQUESTS
from cohort_platform.redelivery import PermanentError
from cohort_platform.rpc import RpcClient


class ClaimRefused(Exception):
    """Campaign answered the claim with an error that may pass (``conflict``, ``unavailable``)."""


class RpcCampaignClaims:
    def __init__(self, rpc: RpcClient) -> None:
        self._rpc = rpc

    async def claim(self, request: ClaimMessages) -> list[str]:
        # RpcTimeout propagates: the batch is redelivered, and nothing of it was sent.
        reply = read_reply(await self._rpc.call(request, CAMPAIGN_REQUESTS), ClaimResult)
        if reply.error is not None:
            if reply.error.code in ("not_found", "invalid"):
                # Asking again cannot help (no such campaign, or a request it cannot read).
                raise PermanentError(f"claim refused: {reply.error.code}")
            raise ClaimRefused(reply.error.code)
        if reply.result is None:
            raise ClaimRefused("empty reply")
        return reply.result.claimed
