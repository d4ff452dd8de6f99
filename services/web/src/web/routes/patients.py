"""One patient of a campaign: status, why it failed, their reply, what happened when."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from ..api_client import NotFound
from ..pages.patients import history
from .common import PageDep, passed_on, render_campaign

router = APIRouter()

RecipientId = Annotated[str, Path(pattern=r"^[0-9a-f]{1,64}$")]


@router.get("/campaigns/{campaign_id}/patients/{recipient_id}")
async def patient_page(
    request: Request, campaign_id: UUID, recipient_id: RecipientId, page: PageDep
) -> Response:
    campaign = await page.api.campaign(campaign_id)
    recipient = await page.api.recipient(campaign_id, recipient_id)
    try:
        patient_list = await page.api.patient_list(campaign_id, recipient.list_id)
    except NotFound:
        patient_list = None
    audit = await page.api.audit(campaign_id)
    activity = (
        None if campaign.type == "basic" else await page.api.activity(campaign_id, recipient_id)
    )
    context = {
        "patient": recipient,
        "history": history(recipient, patient_list, audit.entries, activity),
        "activity": activity,
        "back": request.query_params.get("from", ""),
    }
    return render_campaign(request, "patients/patient.html", campaign, context)


@router.get("/campaigns/{campaign_id}/responses.csv")
async def responses_csv(campaign_id: UUID, page: PageDep) -> Response:
    """A questionnaire campaign's answers, one row per patient (the gateway's CSV, passed on)."""
    return passed_on(await page.api.responses_csv(campaign_id))
