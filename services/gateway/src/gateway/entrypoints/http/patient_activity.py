"""What staff see of patients' links: one patient's activity (opened, confirmed, booked,
answered), a booking campaign's appointments, a questionnaire campaign's responses (JSON,
CSV for Excel, or a FHIR Bundle of QuestionnaireResponse resources), and the questionnaire
library."""

from typing import Annotated
from uuid import UUID

from fastapi import Query
from fastapi.responses import StreamingResponse

from cohort_contracts.envelope import Model
from cohort_contracts.patient_links import (
    TIME_CURSOR,
    AppointmentsPage,
    GetRecipientActivity,
    ListAppointments,
    ListQuestionnaires,
    QuestionnaireList,
    QuestionnaireResponsesPage,
    RecipientActivity,
)

from ...handlers.questionnaire_responses_csv import (
    fetch_responses,
    questionnaire_responses_bundle,
    questionnaire_responses_csv,
)
from .downloads import attachment, csv_download, csv_responses
from .errors import error_responses
from .models import PageNumber, RecipientPath
from .staff_campaign import CampaignDep, staff_router

router = staff_router(tag="patient links (staff)")

AfterCursor = Annotated[
    str | None,
    Query(
        pattern=TIME_CURSOR,
        description="Instead of `page`: the page after this cursor (a page's `next_after`). "
        "Each page then costs the same however deep it is: the way to read every one.",
    ),
]


@router.get(
    "/v1/campaigns/{campaign_id}/recipients/{recipient_id}/activity",
    response_model=RecipientActivity,
    summary="What one patient did with their link: opened, confirmed, booked, answered",
)
async def activity(campaign_id: UUID, recipient_id: RecipientPath, campaign: CampaignDep) -> Model:
    request = GetRecipientActivity(
        **campaign.envelope(), campaign_id=campaign_id, recipient_id=recipient_id
    )
    return await campaign.ask(request)


@router.get(
    "/v1/campaigns/{campaign_id}/appointments",
    response_model=AppointmentsPage,
    summary="A booking campaign's appointments, soonest first (booked and cancelled)",
    responses=error_responses(409),
)
async def appointments(
    campaign_id: UUID,
    campaign: CampaignDep,
    page: PageNumber = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 100,
    after: AfterCursor = None,
) -> Model:
    request = ListAppointments(
        **campaign.envelope(),
        campaign_id=campaign_id,
        page=page,
        page_size=page_size,
        after=after,
    )
    return await campaign.ask(request)


@router.get(
    "/v1/campaigns/{campaign_id}/questionnaire-responses",
    response_model=QuestionnaireResponsesPage,
    summary="A questionnaire campaign's completed responses, oldest first",
    responses=error_responses(409),
)
async def responses(
    campaign_id: UUID,
    campaign: CampaignDep,
    page: PageNumber = 1,
    page_size: Annotated[int, Query(ge=1, le=1000)] = 500,
    after: AfterCursor = None,
) -> Model:
    return await fetch_responses(
        campaign.client, campaign.caller, campaign_id, page, page_size, after
    )


@router.get(
    "/v1/campaigns/{campaign_id}/questionnaire-responses.csv",
    response_class=StreamingResponse,
    summary="Every response as CSV (UTF-8 with a BOM, for Excel): one row per patient",
    description="Columns: nhs_number, given_name, family_name, authored, then one per question "
    "(its text); answers as patients read them, several joined with '; '.",
    responses=csv_responses(409),
)
async def responses_csv(campaign_id: UUID, campaign: CampaignDep) -> StreamingResponse:
    first = await fetch_responses(campaign.client, campaign.caller, campaign_id)
    return csv_download(
        questionnaire_responses_csv(campaign.client, campaign.caller, campaign_id, first),
        f"responses-{campaign_id}.csv",
    )


@router.get(
    "/v1/campaigns/{campaign_id}/questionnaire-responses.fhir.json",
    summary="Every response as a FHIR R4 Bundle (collection) of QuestionnaireResponse resources",
    responses={
        200: {"content": {"application/fhir+json": {"schema": {"type": "object"}}}},
        **error_responses(409),
    },
)
async def responses_bundle(campaign_id: UUID, campaign: CampaignDep) -> StreamingResponse:
    first = await fetch_responses(campaign.client, campaign.caller, campaign_id)
    return StreamingResponse(
        questionnaire_responses_bundle(campaign.client, campaign.caller, campaign_id, first),
        media_type="application/fhir+json",
        headers=attachment(f"responses-{campaign_id}.json"),
    )


@router.get(
    "/v1/questionnaires",
    response_model=QuestionnaireList,
    summary="The built-in questionnaires (FHIR R4 Questionnaire resources and their questions)",
)
async def questionnaires(campaign: CampaignDep) -> Model:
    return await campaign.ask(ListQuestionnaires(**campaign.envelope()))
