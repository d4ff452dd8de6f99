"""How campaign's answers to a claim are turned into ids, retries or dead letters."""

import uuid
from typing import cast

import pytest

from cohort_contracts.campaign_requests import ClaimMessages, RpcError, RpcReply
from cohort_contracts.campaign_views import ClaimResult
from cohort_contracts.routing import CAMPAIGN_REQUESTS, Route
from cohort_platform.redelivery import PermanentError
from cohort_platform.rpc import RpcClient, RpcTimeout
from dispatch.adapters.campaign_claims import ClaimRefused, RpcCampaignClaims

from ..builders import ORG


class FakeRpc:
    def __init__(self, reply: RpcReply[ClaimResult] | Exception) -> None:
        self.reply = reply
        self.calls: list[tuple[ClaimMessages, Route]] = []

    async def call(self, request: ClaimMessages, route: Route) -> bytes:
        self.calls.append((request, route))
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply.model_dump_json().encode()


def request() -> ClaimMessages:
    return ClaimMessages(
        correlation_id=uuid.uuid4(),
        org_id=ORG,
        actor="dispatch",
        campaign_id=uuid.uuid4(),
        recipient_ids=["a", "b"],
    )


def claims_over(rpc: FakeRpc) -> RpcCampaignClaims:
    return RpcCampaignClaims(cast(RpcClient, rpc))


async def test_returns_what_campaign_claimed() -> None:
    rpc = FakeRpc(RpcReply[ClaimResult](result=ClaimResult(claimed=["b"])))

    assert await claims_over(rpc).claim(request()) == ["b"]
    assert rpc.calls[0][1] == CAMPAIGN_REQUESTS


@pytest.mark.parametrize("code", ["not_found", "invalid"])
async def test_an_answer_that_cannot_change_is_permanent(code: str) -> None:
    rpc = FakeRpc(RpcReply[ClaimResult](error=RpcError(code=code, message="x")))

    with pytest.raises(PermanentError):
        await claims_over(rpc).claim(request())


@pytest.mark.parametrize("code", ["conflict", "unavailable"])
async def test_an_answer_that_may_pass_is_retried_by_redelivery(code: str) -> None:
    rpc = FakeRpc(RpcReply[ClaimResult](error=RpcError(code=code, message="x")))

    with pytest.raises(ClaimRefused):
        await claims_over(rpc).claim(request())


async def test_no_answer_propagates() -> None:
    with pytest.raises(RpcTimeout):
        await claims_over(FakeRpc(RpcTimeout("ClaimMessages"))).claim(request())
