"""``/v1/campaigns/{id}/recipients``: each patient's status, reason and reply; paged or as CSV."""

from typing import Annotated
from uuid import UUID

from fastapi import Query
from fastapi.responses import StreamingResponse

from cohort_contracts.campaign_requests import RECIPIENT_CURSOR, GetRecipient
from cohort_contracts.campaign_views import RecipientPage, RecipientView
from cohort_contracts.envelope import Model
from cohort_contracts.vocabulary import RecipientStatus

from ...handlers.recipients_csv import COLUMNS, fetch_recipients, recipients_csv
from .downloads import csv_download, csv_responses
from .models import PageNumber, PageSize, RecipientPath
from .staff_campaign import CampaignDep, staff_router

router = staff_router(prefix="/v1/campaigns/{campaign_id}", tag="recipients")

StatusFilter = Annotated[RecipientStatus | None, Query(description="Only recipients in it")]


@router.get(
    "/recipients",
    response_model=RecipientPage,
    summary="Per-patient status and failure reason, filterable and paged",
)
async def recipients(
    campaign_id: UUID,
    campaign: CampaignDep,
    status: StatusFilter = None,
    page: PageNumber = 1,
    page_size: PageSize = 100,
    after: Annotated[
        str | None,
        Query(
            pattern=RECIPIENT_CURSOR,
            description="Instead of `page`: the page after this cursor (a page's `next_after`). "
            "Each page then costs the same however deep it is: the way to read every patient.",
        ),
    ] = None,
) -> Model:
    return await fetch_recipients(
        campaign.client, campaign.caller, campaign_id, status, page, page_size, after
    )


@router.get(
    "/recipients.csv",
    response_class=StreamingResponse,
    summary="Every recipient as CSV (UTF-8 with a BOM, for Excel)",
    # Written from the columns themselves, so the document cannot fall behind the file.
    description=f"Columns: {', '.join(COLUMNS)}. Times are UTC, ISO 8601. A UK mobile is "
    "written as in the UK (`07700 900123`), so that Excel keeps it as text. A cell starting "
    "with =, +, - or @ (or a tab or carriage return) is prefixed with ' so Excel shows it as "
    "text, not a formula.",
    responses=csv_responses(),
)
async def recipients_download(
    campaign_id: UUID, campaign: CampaignDep, status: StatusFilter = None
) -> StreamingResponse:
    first = await fetch_recipients(campaign.client, campaign.caller, campaign_id, status, page=1)
    return csv_download(
        recipients_csv(campaign.client, campaign.caller, campaign_id, status, first),
        f"recipients-{campaign_id}.csv",
    )


@router.get(
    "/recipients/{recipient_id}",
    response_model=RecipientView,
    summary="One patient of the campaign: status, reason and any reply",
)
async def recipient(
    campaign_id: UUID,
    recipient_id: RecipientPath,
    campaign: CampaignDep,
) -> Model:
    request = GetRecipient(
        **campaign.envelope(), campaign_id=campaign_id, recipient_id=recipient_id
    )
    return await campaign.ask(request)
