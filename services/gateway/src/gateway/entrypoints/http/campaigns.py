"""``/v1/campaigns``: create, read, compose, review, send, cancel, recipients."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from cohort_contracts.campaign_requests import (
    MAX_PAGE_SIZE,
    CancelCampaign,
    CreateCampaign,
    GetCampaign,
    GetReview,
    ListCampaigns,
    ListRecipients,
    SendCampaign,
    SetMessage,
)
from cohort_contracts.campaign_views import CampaignPage, CampaignView, RecipientPage, ReviewView
from cohort_contracts.vocabulary import CampaignStatus, CampaignType, RecipientStatus

from .auth import AuthenticatedRoute, CallerDep
from .errors import error_responses
from .wiring import WiringDep, envelope

router = APIRouter(prefix="/v1/campaigns", tags=["campaigns"], route_class=AuthenticatedRoute)

Page = Annotated[int, Query(ge=1, description="1-based page number")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NewCampaign(Body):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    type: CampaignType = Field(
        description="basic: information only; booking: a per-patient booking link; "
        "questionnaire: a per-patient questionnaire link"
    )


class NewMessage(Body):
    body: Annotated[str, StringConstraints(min_length=1, max_length=10_000)] = Field(
        description="Message text; placeholders such as ((first_name)) are filled per patient"
    )
    subject: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        default=None, description="Email subject (email lists only)"
    )


class SendConfirmation(Body):
    confirm_recipient_count: int = Field(
        ge=0, description="The recipient count shown on the review; must match to send"
    )


@router.post(
    "",
    status_code=201,
    response_model=CampaignView,
    summary="Create a campaign",
    responses=error_responses(401, 422, 503),
)
async def create_campaign(
    body: NewCampaign, caller: CallerDep, wiring: WiringDep, response: Response
) -> CampaignView:
    view = await wiring.campaign.request(
        CreateCampaign(**envelope(caller), name=body.name, type=body.type), CampaignView
    )
    response.headers["Location"] = f"/v1/campaigns/{view.id}"
    return view


@router.get(
    "",
    response_model=CampaignPage,
    summary="List the organisation's campaigns",
    responses=error_responses(401, 422, 503),
)
async def list_campaigns(
    caller: CallerDep,
    wiring: WiringDep,
    status: CampaignStatus | None = None,
    page: Page = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> CampaignPage:
    request = ListCampaigns(**envelope(caller), status=status, page=page, page_size=page_size)
    return await wiring.campaign.request(request, CampaignPage)


@router.get(
    "/{campaign_id}",
    response_model=CampaignView,
    summary="One campaign with live counts",
    responses=error_responses(401, 404, 422, 503),
)
async def get_campaign(campaign_id: UUID, caller: CallerDep, wiring: WiringDep) -> CampaignView:
    request = GetCampaign(**envelope(caller), campaign_id=campaign_id)
    return await wiring.campaign.request(request, CampaignView)


@router.put(
    "/{campaign_id}/message",
    response_model=CampaignView,
    summary="Set the campaign's message",
    responses=error_responses(401, 404, 409, 422, 503),
)
async def set_message(
    campaign_id: UUID, body: NewMessage, caller: CallerDep, wiring: WiringDep
) -> CampaignView:
    request = SetMessage(
        **envelope(caller), campaign_id=campaign_id, body=body.body, subject=body.subject
    )
    return await wiring.campaign.request(request, CampaignView)


@router.get(
    "/{campaign_id}/review",
    response_model=ReviewView,
    summary="Rendered previews, recipient counts and SMS fragments before sending",
    responses=error_responses(401, 404, 409, 422, 503),
)
async def review(
    campaign_id: UUID,
    caller: CallerDep,
    wiring: WiringDep,
    previews: Annotated[int, Query(ge=0, le=20, description="How many previews")] = 3,
) -> ReviewView:
    request = GetReview(**envelope(caller), campaign_id=campaign_id, preview_count=previews)
    return await wiring.campaign.request(request, ReviewView)


@router.post(
    "/{campaign_id}/send",
    status_code=202,
    response_model=CampaignView,
    summary="Send the campaign, confirming the recipient count",
    responses=error_responses(401, 404, 409, 422, 503),
)
async def send(
    campaign_id: UUID, body: SendConfirmation, caller: CallerDep, wiring: WiringDep
) -> CampaignView:
    request = SendCampaign(
        **envelope(caller),
        campaign_id=campaign_id,
        confirm_recipient_count=body.confirm_recipient_count,
    )
    return await wiring.campaign.request(request, CampaignView)


@router.post(
    "/{campaign_id}/cancel",
    status_code=202,
    response_model=CampaignView,
    summary="Cancel the campaign: nothing not yet sent will be sent",
    responses=error_responses(401, 404, 409, 422, 503),
)
async def cancel(campaign_id: UUID, caller: CallerDep, wiring: WiringDep) -> CampaignView:
    request = CancelCampaign(**envelope(caller), campaign_id=campaign_id)
    return await wiring.campaign.request(request, CampaignView)


@router.get(
    "/{campaign_id}/recipients",
    response_model=RecipientPage,
    summary="Per-patient status and failure reason, filterable and paged",
    responses=error_responses(401, 404, 422, 503),
)
async def recipients(
    campaign_id: UUID,
    caller: CallerDep,
    wiring: WiringDep,
    status: RecipientStatus | None = None,
    page: Page = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 100,
) -> RecipientPage:
    request = ListRecipients(
        **envelope(caller), campaign_id=campaign_id, status=status, page=page, page_size=page_size
    )
    return await wiring.campaign.request(request, RecipientPage)
