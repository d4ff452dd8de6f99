"""The pages staff read (the campaigns overview, a campaign's appointments and questionnaire
responses) come in an index's order, so a page reads only itself: without ``_id`` in the
index, the server would read and sort every matching document for each page."""

from datetime import UTC, datetime
from typing import Any, cast

import pytest

from campaign.adapters.mongo_campaigns import OVERVIEW_ORDER
from campaign.adapters.mongo_database import MongoHandle
from campaign.adapters.mongo_patient import APPOINTMENT_ORDER, RESPONSE_ORDER
from cohort_standin import StandinCollection

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
