"""Identical reads share one request to campaign; writes make the next read fresh."""

import asyncio
import uuid

import pytest

from cohort_contracts.campaign_requests import CancelCampaign, GetCampaign, ListCampaigns
from cohort_contracts.envelope import Message, Model
from gateway.adapters.coalesced_reads import CoalescedReads
from gateway.ports import CampaignUnavailable


class Answer(Model):
    n: int


class CountingCampaign:
    def __init__(self) -> None:
        self.asked: list[Message] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail = False

    async def request(self, request: Message) -> Model:
        self.asked.append(request)
        await self.gate.wait()
        if self.fail:
            raise CampaignUnavailable("down")
        return Answer(n=len(self.asked))


@pytest.fixture
def campaign() -> CountingCampaign:
    return CountingCampaign()


@pytest.fixture
def reads(campaign: CountingCampaign) -> CoalescedReads:
    """Answers kept for a minute: longer than any test."""
    return CoalescedReads(campaign, ttl_s=60)


def get(campaign_id: uuid.UUID, org: str = "A81001", actor: str = "u1") -> GetCampaign:
    return GetCampaign(
        correlation_id=uuid.uuid4(), org_id=org, actor=actor, campaign_id=campaign_id
    )


async def read_at_once(
    campaign: CountingCampaign, reads: CoalescedReads, requests: list[GetCampaign]
) -> list[Model | BaseException]:
    """Every request read together while campaign holds its answers, then let go: what each
    read answered, or raised."""
    campaign.gate.clear()
    waiting = [asyncio.create_task(reads.request(request)) for request in requests]
    await asyncio.sleep(0.01)
    campaign.gate.set()
    return await asyncio.gather(*waiting, return_exceptions=True)


async def test_concurrent_identical_reads_ask_campaign_once(
    campaign: CountingCampaign, reads: CoalescedReads
) -> None:
    cid = uuid.uuid4()
    answers = await read_at_once(campaign, reads, [get(cid, actor=f"user-{n}") for n in range(50)])
    assert len(campaign.asked) == 1
    assert answers == [Answer(n=1)] * 50


async def test_another_organisation_or_campaign_is_never_shared(
    campaign: CountingCampaign, reads: CoalescedReads
) -> None:
    cid = uuid.uuid4()
    await reads.request(get(cid, org="A81001"))
    await reads.request(get(cid, org="B82002"))
    await reads.request(get(uuid.uuid4(), org="A81001"))
    await reads.request(
        ListCampaigns(correlation_id=uuid.uuid4(), org_id="A81001", actor="u", org_scope=["A81001"])
    )
    assert len(campaign.asked) == 4


async def test_a_write_makes_the_next_read_fresh(
    campaign: CountingCampaign, reads: CoalescedReads
) -> None:
    cid = uuid.uuid4()
    await reads.request(get(cid))
    await reads.request(get(cid))
    assert len(campaign.asked) == 1
    await reads.request(
        CancelCampaign(correlation_id=uuid.uuid4(), org_id="A81001", actor="u", campaign_id=cid)
    )
    assert (await reads.request(get(cid))).model_dump() == {"n": 3}


async def test_an_answer_is_reused_only_for_its_time(campaign: CountingCampaign) -> None:
    reads = CoalescedReads(campaign, ttl_s=0.0)
    cid = uuid.uuid4()
    await reads.request(get(cid))
    await reads.request(get(cid))
    assert len(campaign.asked) == 2


async def test_errors_are_shared_by_those_waiting_but_never_kept(
    campaign: CountingCampaign, reads: CoalescedReads
) -> None:
    campaign.fail = True
    cid = uuid.uuid4()
    results = await read_at_once(campaign, reads, [get(cid) for _ in range(3)])
    assert all(isinstance(r, CampaignUnavailable) for r in results)
    campaign.fail = False
    assert (await reads.request(get(cid))).model_dump() == {"n": 2}


async def test_a_waiter_whose_leader_gives_up_asks_for_itself(
    campaign: CountingCampaign, reads: CoalescedReads
) -> None:
    campaign.gate.clear()
    cid = uuid.uuid4()
    leader = asyncio.create_task(reads.request(get(cid)))
    await asyncio.sleep(0)
    follower = asyncio.create_task(reads.request(get(cid)))
    await asyncio.sleep(0.01)
    leader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await leader
    campaign.gate.set()
    assert (await follower).model_dump() == {"n": 2}
