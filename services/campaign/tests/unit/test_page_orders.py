"""The pages staff read (the campaigns overview, a campaign's appointments and questionnaire
responses) come in an index's order, so a page reads only itself: without ``_id`` in the
index, the server would read and sort every matching document for each page."""

from datetime import UTC, datetime
from typing import Any, cast
from uuid import uuid4

import pytest
from pydantic import ValidationError

from campaign.adapters.mongo_campaigns import OVERVIEW_ORDER
from campaign.adapters.mongo_database import MongoHandle
from campaign.adapters.mongo_patient import (
    APPOINTMENT_ORDER,
    RESPONSE_ORDER,
    MongoAppointments,
    MongoResponses,
)
from campaign.domain.time_order import TimePosition
from campaign.handlers import campaigns
from campaign.handlers.deps import Deps
from cohort_contracts.campaign_requests import MAX_PAGE_SIZE, ListCampaigns, ListRecipients
from cohort_contracts.envelope import MAX_PAGE
from cohort_contracts.patient_links import ListAppointments, ListQuestionnaireResponses
from cohort_standin import StandinCollection

from .helpers import new_campaign, req

AT = datetime(2030, 1, 1, 9, tzinfo=UTC)
LISTED = ["booked", "cancelled"]


@pytest.mark.parametrize(
    ("collection", "query", "order"),
    [
        (
            "appointments",
            {"campaign_id": "c", "status": {"$in": ["booked", "cancelled"]}},
            APPOINTMENT_ORDER,
        ),
        ("questionnaire_responses", {"campaign_id": "c"}, RESPONSE_ORDER),
        # The two ranges of a page after a cursor: the rest of its millisecond, then later.
        (
            "appointments",
            {"campaign_id": "c", "status": {"$in": LISTED}, "start": AT, "_id": {"$gt": "ab"}},
            APPOINTMENT_ORDER,
        ),
        (
            "appointments",
            {"campaign_id": "c", "status": {"$in": LISTED}, "start": {"$gt": AT}},
            APPOINTMENT_ORDER,
        ),
        (
            "questionnaire_responses",
            {"campaign_id": "c", "authored": AT, "_id": {"$gt": "ab"}},
            RESPONSE_ORDER,
        ),
        (
            "questionnaire_responses",
            {"campaign_id": "c", "authored": {"$gt": AT}},
            RESPONSE_ORDER,
        ),
        ("campaigns", {"org_id": {"$in": ["A81001"]}}, OVERVIEW_ORDER),
        ("campaigns", {"org_id": {"$in": ["A81001"]}, "status": "sending"}, OVERVIEW_ORDER),
    ],
)
async def test_a_page_is_read_in_an_index_order(
    mongo: MongoHandle, collection: str, query: dict[str, Any], order: list[tuple[str, int]]
) -> None:
    await mongo.ensure_indexes()
    found = mongo.db[collection]
    if mongo.standin:
        standin = cast(StandinCollection, found)
        plan, _ = standin.engine.plan(standin.codec.normalized(query), order)
        assert plan.index is not None
        assert plan.provides_sort
    else:
        explained = await found.find(query).sort(order).limit(10).explain()
        winning = str(explained["queryPlanner"]["winningPlan"])
        assert "'stage': 'SORT'" not in winning
        assert "IXSCAN" in winning


async def test_the_last_page_a_request_allows_is_one_mongodb_can_skip_to(
    deps: Deps, mongo: MongoHandle
) -> None:
    """A page by number is read from (page - 1) x page size on, MongoDB's skip: a 64-bit
    integer, and PyMongo cannot encode a larger one. The last page a request allows, at the
    largest page size of each listing, is read (past the end, so empty); one page more is
    refused by the request itself, before anything reaches the store."""
    campaign = await new_campaign(deps)
    overview = await campaigns.list_campaigns(
        req(ListCampaigns, page=MAX_PAGE, page_size=MAX_PAGE_SIZE), deps
    )
    assert (overview.items, overview.total) == ([], 1)
    recipients = await campaigns.list_recipients(
        req(ListRecipients, campaign_id=campaign.id, page=MAX_PAGE, page_size=MAX_PAGE_SIZE), deps
    )
    assert recipients.items == []
    # Staff's appointments and questionnaire responses, at their largest page sizes.
    req(ListAppointments, campaign_id=campaign.id, page=MAX_PAGE, page_size=500)
    appointments = MongoAppointments(mongo)
    assert await appointments.page(campaign.id, (MAX_PAGE - 1) * 500, 500) == ([], 0)
    req(ListQuestionnaireResponses, campaign_id=campaign.id, page=MAX_PAGE, page_size=1000)
    responses = MongoResponses(mongo)
    assert await responses.page(campaign.id, (MAX_PAGE - 1) * 1000, 1000) == ([], 0)
    for refused in (ListCampaigns, ListRecipients, ListAppointments, ListQuestionnaireResponses):
        with pytest.raises(ValidationError, match="less than or equal to"):
            req(refused, campaign_id=campaign.id, page=MAX_PAGE + 1)


def test_the_latest_time_cursor_a_request_allows_is_a_time() -> None:
    """A time cursor is read as milliseconds since 1970; the largest a request lets through is
    still a date Python can hold, and one digit more is refused by the request itself."""
    latest = "9" * 14 + ":x"
    for listing in (ListAppointments, ListQuestionnaireResponses):
        req(listing, campaign_id=uuid4(), after=latest)
        with pytest.raises(ValidationError, match="should match pattern"):
            req(listing, campaign_id=uuid4(), after="9" + latest)

    assert TimePosition.parse(latest).at.year == 5138
