"""Campaign types and their settings."""

from typing import Any

import pytest

from campaign.domain.errors import InvalidMessage
from campaign.handlers import campaigns
from campaign.handlers.deps import Deps
from cohort_contracts.campaign_requests import GetCampaign

from .helpers import req
from .messaging import BOOKING, QUESTIONNAIRE, create


async def test_a_basic_campaign_may_allow_replies(deps: Deps) -> None:
    created = await create(deps, "basic", allow_replies=True)
    view = await campaigns.get_campaign(req(GetCampaign, campaign_id=created.id), deps)
    assert (view.type, view.allow_replies, view.booking, view.questionnaire) == (
        "basic",
        True,
        None,
        None,
    )


async def test_booking_and_questionnaire_settings_are_stored_and_returned(deps: Deps) -> None:
    booking = await create(deps, "booking", link_expiry_days=14)
    questionnaire = await create(deps, "questionnaire")
    got = await campaigns.get_campaign(req(GetCampaign, campaign_id=booking.id), deps)
    assert (got.booking, got.link_expiry_days) == (BOOKING, 14)
    got = await campaigns.get_campaign(req(GetCampaign, campaign_id=questionnaire.id), deps)
    assert (got.questionnaire, got.link_expiry_days) == (QUESTIONNAIRE, 7)


@pytest.mark.parametrize(
    ("type_", "fields", "field"),
    [
        ("booking", {"booking": None}, "booking"),
        ("questionnaire", {"questionnaire": None}, "questionnaire"),
        ("basic", {"booking": BOOKING}, "booking"),
        ("basic", {"questionnaire": QUESTIONNAIRE}, "questionnaire"),
        ("booking", {"questionnaire": QUESTIONNAIRE}, "questionnaire"),
        ("questionnaire", {"booking": BOOKING}, "booking"),
        ("booking", {"allow_replies": True}, "allow_replies"),
        ("questionnaire", {"allow_replies": True}, "allow_replies"),
    ],
)
async def test_wrong_settings_for_the_type_are_refused_naming_the_field(
    deps: Deps, type_: Any, fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidMessage) as refused:
        await create(deps, type_, **fields)
    assert refused.value.details["field"] == field
    page, total = await deps.campaigns.page(["A81001"], None, 0, 10)
    assert (page, total) == ([], 0)  # nothing half-created
