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
from dispatch.domain.retry_policy import RetryPolicy

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
    return RpcCampaignClaims(cast(RpcClient, rpc), RetryPolicy(attempts=1))


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
async def test_an_answer_that_may_pass_is_at_last_retried_by_redelivery(code: str) -> None:
    rpc = FakeRpc(RpcReply[ClaimResult](error=RpcError(code=code, message="x")))

    with pytest.raises(ClaimRefused):
        await claims_over(rpc).claim(request())


async def test_no_answer_propagates() -> None:
    with pytest.raises(RpcTimeout):
        await claims_over(FakeRpc(RpcTimeout("ClaimMessages"))).claim(request())


class LosesAnswers:
    """Campaign applying every claim, but whose first ``lost`` answers never arrive (a broker
    restart, an instance killed after writing): the claim is keyed by the message id."""

    def __init__(self, queued: list[str], lost: int) -> None:
        self.claimed_by: dict[str, uuid.UUID] = {}
        self.queued = set(queued)
        self.lost = lost
        self.calls: list[ClaimMessages] = []

    async def call(self, request: ClaimMessages, route: Route) -> bytes:
        self.calls.append(request)
        for rid in request.recipient_ids:
            if rid in self.queued:
                self.queued.discard(rid)
                self.claimed_by[rid] = request.message_id
        if self.lost:
            self.lost -= 1
            raise RpcTimeout("ClaimMessages")
        mine = [r for r in request.recipient_ids if self.claimed_by.get(r) == request.message_id]
        return RpcReply[ClaimResult](result=ClaimResult(claimed=mine)).model_dump_json().encode()


QUICK = RetryPolicy(attempts=3, initial_backoff_s=0, max_backoff_s=0)


async def test_a_lost_answer_is_asked_again_with_the_same_message() -> None:
    campaign = LosesAnswers(["a", "b"], lost=2)
    claims = RpcCampaignClaims(cast(RpcClient, campaign), QUICK)

    assert sorted(await claims.claim(request())) == ["a", "b"]
    assert len({c.message_id for c in campaign.calls}) == 1
    assert len(campaign.calls) == 3
    # Stamped afresh each time: campaign refuses a claim older than its deadline.
    assert campaign.calls[0].occurred_at < campaign.calls[-1].occurred_at


async def test_an_answer_that_may_pass_is_asked_again_then_given_up() -> None:
    rpc = FakeRpc(RpcReply[ClaimResult](error=RpcError(code="unavailable", message="x")))

    with pytest.raises(ClaimRefused):
        await RpcCampaignClaims(cast(RpcClient, rpc), QUICK).claim(request())
    assert len(rpc.calls) == 3


async def test_a_permanent_answer_is_not_asked_again() -> None:
    rpc = FakeRpc(RpcReply[ClaimResult](error=RpcError(code="not_found", message="x")))

    with pytest.raises(PermanentError):
        await RpcCampaignClaims(cast(RpcClient, rpc), QUICK).claim(request())
    assert len(rpc.calls) == 1
