"""``GET /v1/campaigns/{id}/recipients.csv``: every recipient, paged from campaign as it streams."""

import csv
import io
from datetime import UTC, datetime

from cohort_contracts.campaign_requests import MAX_PAGE_SIZE, ListRecipients
from cohort_contracts.vocabulary import RecipientStatus, SendReason
from gateway.handlers.recipients_csv import COLUMNS

from ..conftest import ORG, Harness
from ..fakes import make_recipient

HEADER = list(COLUMNS)


def rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


async def test_columns_and_values(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG)
    gateway.campaign.recipients[campaign.id] = [
        make_recipient(
            1,
            reply="Yes, see you then, thanks",
            replied_at=datetime(2026, 11, 27, 10, 0, tzinfo=UTC),
            link_opened_at=datetime(2026, 11, 27, 9, 45, 30, tzinfo=UTC),
            record_status="saved",
            record_reason="Saved to GP record",
        ),
        make_recipient(
            2,
            given_name="Bo",
            family_name="O'Neill, Jr",
            status=RecipientStatus.FAILED,
            reason_code=SendReason.UNKNOWN_SUBSCRIBER,
            reason="The number is not in use.",
        ),
    ]

    response = await gateway.client.get(
        f"/v1/campaigns/{campaign.id}/recipients.csv", headers=gateway.auth()
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert f'filename="recipients-{campaign.id}.csv"' in response.headers["content-disposition"]
    assert rows(response.content) == [
        HEADER,
        [
            "9434765919", "Ann", "Smith", "sms", "07700 900123", "delivered", "", "",
            "2026-11-27T09:30:00Z", "Yes, see you then, thanks",
            "2026-11-27T10:00:00Z", "2026-11-27T09:45:30Z",
            "saved", "Saved to GP record",
        ],
        [
            "9434765919", "Bo", "O'Neill, Jr", "sms", "07700 900123", "failed",
            "UNKNOWN_SUBSCRIBER", "The number is not in use.", "2026-11-27T09:30:00Z",
            "", "", "", "", "",
        ],
    ]  # fmt: skip


async def test_all_pages_are_streamed_with_the_filter(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG)
    count = MAX_PAGE_SIZE * 2 + 7
    recipients = [make_recipient(n, given_name=f"P{n}") for n in range(1, count + 1)]
    gateway.campaign.recipients[campaign.id] = [
        *recipients,
        make_recipient(0, status=RecipientStatus.FAILED),
    ]

    response = await gateway.client.get(
        f"/v1/campaigns/{campaign.id}/recipients.csv?status=delivered", headers=gateway.auth()
    )

    body = rows(response.content)
    assert [r[1] for r in body[1:]] == [f"P{n}" for n in range(1, count + 1)]
    requests = gateway.campaign.sent(ListRecipients)
    # Page 1, then each page on from the cursor the one before ended at.
    ends = [f"{r.list_id}:{r.row_number}" for r in recipients[MAX_PAGE_SIZE - 1 :: MAX_PAGE_SIZE]]
    assert [(r.page, r.after, r.page_size, r.status) for r in requests] == [
        (1, None, MAX_PAGE_SIZE, "delivered"),
        (1, ends[0], MAX_PAGE_SIZE, "delivered"),
        (1, ends[1], MAX_PAGE_SIZE, "delivered"),
    ]


async def test_an_empty_campaign_is_just_the_header(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG)

    response = await gateway.client.get(
        f"/v1/campaigns/{campaign.id}/recipients.csv", headers=gateway.auth()
    )

    assert rows(response.content) == [HEADER]


async def test_a_reply_cannot_become_a_formula_in_excel(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG)
    replies = ['=HYPERLINK("http://evil","x")', "+1", "-2", "@SUM(A1)", "fine"]
    gateway.campaign.recipients[campaign.id] = [
        make_recipient(n, reply=reply) for n, reply in enumerate(replies, start=1)
    ]

    response = await gateway.client.get(
        f"/v1/campaigns/{campaign.id}/recipients.csv", headers=gateway.auth()
    )

    assert [r[9] for r in rows(response.content)[1:]] == [
        "'=HYPERLINK(\"http://evil\",\"x\")", "'+1", "'-2", "'@SUM(A1)", "fine",
    ]  # fmt: skip


async def test_the_api_reads_on_from_a_cursor_and_refuses_one_that_is_not(
    gateway: Harness,
) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG)
    recipients = [make_recipient(n) for n in range(1, 6)]
    gateway.campaign.recipients[campaign.id] = recipients
    url = f"/v1/campaigns/{campaign.id}/recipients"

    first = await gateway.client.get(f"{url}?page_size=2", headers=gateway.auth())
    cursor = first.json()["next_after"]
    second = await gateway.client.get(
        url, params={"page_size": 2, "after": cursor}, headers=gateway.auth()
    )
    refused = await gateway.client.get(
        url, params={"after": "2; DROP TABLE"}, headers=gateway.auth()
    )

    assert cursor == f"{recipients[1].list_id}:{recipients[1].row_number}"
    assert [r["row_number"] for r in second.json()["items"]] == [3, 4]
    assert refused.status_code == 422
