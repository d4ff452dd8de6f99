"""What staff see of patients' links: one patient's activity (opened, confirmed, booked,
answered), a booking campaign's appointments, a questionnaire campaign's responses (JSON,
CSV for Excel, or a FHIR Bundle of QuestionnaireResponse resources), and the questionnaire
library."""

import csv
import io
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, StreamingResponse

from cohort_contracts.envelope import Model
from cohort_contracts.patient_links import (
    AppointmentsPage,
    GetRecipientActivity,
    ListAppointments,
    ListQuestionnaireResponses,
    ListQuestionnaires,
    QuestionnaireList,
    QuestionnaireResponsesPage,
    RecipientActivity,
)

from ...domain.caller import Caller
from ...ports import CampaignClient, expect
from .auth import AuthenticatedRoute, CallerDep
from .errors import error_responses
from .wiring import WiringDep

router = APIRouter(tags=["patient links (staff)"], route_class=AuthenticatedRoute)
RecipientId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-f]+$")]
PAGE = 500


@router.get(
    "/v1/campaigns/{campaign_id}/recipients/{recipient_id}/activity",
    response_model=RecipientActivity,
    summary="What one patient did with their link: opened, confirmed, booked, answered",
    responses=error_responses(401, 403, 404, 422, 503),
)
async def activity(
    campaign_id: UUID, recipient_id: RecipientId, caller: CallerDep, wiring: WiringDep
) -> Model:
    request = GetRecipientActivity(
        **caller.envelope(), campaign_id=campaign_id, recipient_id=recipient_id
    )
    return await wiring.campaign.request(request)


@router.get(
    "/v1/campaigns/{campaign_id}/appointments",
    response_model=AppointmentsPage,
    summary="A booking campaign's appointments, soonest first (booked and cancelled)",
    responses=error_responses(401, 403, 404, 409, 422, 503),
)
async def appointments(
    campaign_id: UUID,
    caller: CallerDep,
    wiring: WiringDep,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Model:
    request = ListAppointments(
        **caller.envelope(), campaign_id=campaign_id, page=page, page_size=page_size
    )
    return await wiring.campaign.request(request)


@router.get(
    "/v1/campaigns/{campaign_id}/questionnaire-responses",
    response_model=QuestionnaireResponsesPage,
    summary="A questionnaire campaign's completed responses, oldest first",
    responses=error_responses(401, 403, 404, 409, 422, 503),
)
async def responses(
    campaign_id: UUID,
    caller: CallerDep,
    wiring: WiringDep,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> Model:
    request = ListQuestionnaireResponses(
        **caller.envelope(), campaign_id=campaign_id, page=page, page_size=page_size
    )
    return await wiring.campaign.request(request)


async def _pages(
    campaign: CampaignClient, caller: Caller, campaign_id: UUID
) -> AsyncIterator[QuestionnaireResponsesPage]:
    page = 1
    while True:
        request = ListQuestionnaireResponses(
            **caller.envelope(), campaign_id=campaign_id, page=page, page_size=PAGE
        )
        result = expect(await campaign.request(request), QuestionnaireResponsesPage)
        yield result
        if page * PAGE >= result.total:
            return
        page += 1


def _cell(value: str) -> str:
    # A cell starting with = + - @ would be a formula in Excel.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@router.get(
    "/v1/campaigns/{campaign_id}/questionnaire-responses.csv",
    response_class=StreamingResponse,
    summary="Every response as CSV (UTF-8 with a BOM, for Excel): one row per patient",
    description="Columns: nhs_number, given_name, family_name, authored, then one per question "
    "(its text); answers as patients read them, several joined with '; '.",
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV"},
        **error_responses(401, 403, 404, 409, 422, 503),
    },
)
async def responses_csv(
    campaign_id: UUID, caller: CallerDep, wiring: WiringDep
) -> StreamingResponse:
    pages = _pages(wiring.campaign, caller, campaign_id)
    first = await anext(pages)

    async def rows() -> AsyncIterator[str]:
        questions = first.questionnaire.questions
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(
            ["nhs_number", "given_name", "family_name", "authored"] + [q.text for q in questions]
        )
        yield "\ufeff" + out.getvalue()
        page: QuestionnaireResponsesPage | None = first
        while page is not None:
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\r\n")
            for item in page.items:
                answers = {i.link_id: "; ".join(i.answers) for i in item.response.items}
                writer.writerow(
                    [
                        item.nhs_number,
                        _cell(item.given_name),
                        _cell(item.family_name),
                        item.response.authored.isoformat(),
                        *[_cell(answers.get(q.link_id, "")) for q in questions],
                    ]
                )
            yield out.getvalue()
            page = await anext(pages, None)

    return StreamingResponse(
        rows(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="responses-{campaign_id}.csv"'},
    )


@router.get(
    "/v1/campaigns/{campaign_id}/questionnaire-responses.fhir.json",
    summary="Every response as a FHIR R4 Bundle (collection) of QuestionnaireResponse resources",
    responses={
        200: {"content": {"application/fhir+json": {"schema": {"type": "object"}}}},
        **error_responses(401, 403, 404, 409, 422, 503),
    },
)
async def responses_bundle(campaign_id: UUID, caller: CallerDep, wiring: WiringDep) -> JSONResponse:
    entries: list[dict[str, Any]] = []
    async for page in _pages(wiring.campaign, caller, campaign_id):
        entries += [{"resource": json.loads(i.response.fhir_json)} for i in page.items]
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "total": len(entries),
        "entry": entries,
    }
    return JSONResponse(
        bundle,
        media_type="application/fhir+json",
        headers={"Content-Disposition": f'attachment; filename="responses-{campaign_id}.json"'},
    )


@router.get(
    "/v1/questionnaires",
    response_model=QuestionnaireList,
    summary="The built-in questionnaires (FHIR R4 Questionnaire resources and their questions)",
    responses=error_responses(401, 503),
)
async def questionnaires(caller: CallerDep, wiring: WiringDep) -> Model:
    return await wiring.campaign.request(ListQuestionnaires(**caller.envelope()))
