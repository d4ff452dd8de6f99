import pytest

from campaign.domain.errors import Conflict
from campaign.handlers import campaigns
from campaign.handlers.deps import Deps
from cohort_contracts.campaign_requests import GetReview
from cohort_contracts.vocabulary import CampaignStatus

from ..builders import ORG
from ..fakes import FakeCreditSource
from .helpers import campaign_with_recipients, cid, send_request


async def test_the_review_shows_the_balance_and_the_credits_needed(
    deps: Deps, credit: FakeCreditSource
) -> None:
    credit.credits = 1234
    campaign_id, _ = await campaign_with_recipients(deps, 3)
    review = await campaigns.get_review(
        GetReview(correlation_id=cid(), org_id=ORG, actor="u", campaign_id=campaign_id), deps
    )
    assert (review.credit_balance, review.credits_needed) == (1234, 3)


async def test_sending_is_refused_when_the_balance_is_short(
    deps: Deps, credit: FakeCreditSource
) -> None:
    credit.credits = 2
    campaign_id, _ = await campaign_with_recipients(deps, 3)
    request = send_request(campaign_id, 3)
    with pytest.raises(Conflict) as refused:
        await campaigns.send_campaign(request, deps)
    assert refused.value.details == {"credits_needed": 3, "credit_balance": 2}

    credit.credits = None  # the balance cannot be read: that alone does not block a send
    view = await campaigns.send_campaign(request, deps)
    assert view.status is CampaignStatus.SENDING
