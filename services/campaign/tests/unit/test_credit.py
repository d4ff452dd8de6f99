import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from campaign.adapters.organisations_file import OrganisationsFile
from campaign.domain.errors import Conflict
from campaign.domain.sms_cost import CreditPrices, cost_pence
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


async def test_the_review_estimates_the_cost_at_the_organisations_price(deps: Deps) -> None:
    campaign_id, _ = await campaign_with_recipients(deps, 3)
    request = GetReview(correlation_id=cid(), org_id=ORG, actor="u", campaign_id=campaign_id)

    assert (await campaigns.get_review(request, deps)).estimated_cost_pence is None  # no price

    prices = CreditPrices(Decimal("2.5"), {ORG: Decimal("2.9")})
    priced = await campaigns.get_review(request, replace(deps, credit_prices=prices))
    assert priced.estimated_cost_pence == 9  # 3 credits at 2.9p, rounded up to the penny
    elsewhere = CreditPrices(Decimal("2.5"), {"B82002": Decimal("9")})
    by_default = await campaigns.get_review(request, replace(deps, credit_prices=elsewhere))
    assert by_default.estimated_cost_pence == 8  # 7.5p at the deployment's price


def test_prices_come_from_the_organisations_file(tmp_path: Path) -> None:
    path = tmp_path / "organisations.json"
    path.write_text(
        json.dumps(
            {
                "organisations": [
                    {"ods": ORG, "name": "Example Surgery", "sms_credit_pence": 2.9},
                    {"ods": "B82002", "name": "Riverside"},
                ],
                "networks": [{"ods": "U12345", "name": "Network", "sms_credit_pence": "3.1"}],
            }
        )
    )
    prices = OrganisationsFile.read(path).credit_prices(Decimal("2.5"))
    assert prices.for_org(ORG) == Decimal("2.9")
    assert prices.for_org("U12345") == Decimal("3.1")
    assert prices.for_org("B82002") == Decimal("2.5")
    assert OrganisationsFile.read(None).credit_prices(None).for_org(ORG) is None
    path.write_text(
        json.dumps({"organisations": [{"ods": ORG, "name": "x", "sms_credit_pence": 0}]})
    )
    with pytest.raises(ValidationError):
        # A price of nothing is a mistake, not free texts.
        OrganisationsFile.read(path).credit_prices(None)


def test_an_estimate_is_never_below_the_charge() -> None:
    assert cost_pence(1, Decimal("2.9")) == 3
    assert cost_pence(10, Decimal("2.9")) == 29
    assert cost_pence(0, Decimal("2.9")) == 0
