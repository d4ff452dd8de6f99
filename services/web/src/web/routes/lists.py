"""Upload a patient list, follow its check against PDS, download the unsuccessful rows, remove
a draft's most recent list."""

from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from cohort_http.session_forms import make_form, posted_form, see_other

from ..api_client import Conflict, Invalid, ListNotQueued
from ..api_views import Campaign, PatientList
from ..forms import ActionForm, UploadForm
from ..pages.lists import progress, removable
from .common import (
    Page,
    PageDep,
    campaign_url,
    check_action,
    may_send,
    passed_on,
    render_campaign,
    submit,
)

router = APIRouter()

MEDIA = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get("/campaigns/{campaign_id}/upload")
async def upload_page(request: Request, campaign_id: UUID, page: PageDep) -> Response:
    campaign = await page.api.campaign(campaign_id)
    form = make_form(request, UploadForm)
    return render_campaign(request, "lists/upload.html", campaign, {"form": form})


@router.post("/campaigns/{campaign_id}/upload")
async def upload(request: Request, campaign_id: UUID, page: PageDep) -> Response:
    campaign = await page.api.campaign(campaign_id)
    form = await posted_form(request, UploadForm)
    try:
        # The gateway reads the whole file and says what is wrong with it, on the file.
        accepted = await submit(
            form,
            lambda: _upload(page, campaign_id, form),
            lambda _: "file",
            refused=(Invalid, Conflict),
        )
    except ListNotQueued as exc:
        # Uploading again alone would leave this list waiting, and the send held, for good: it
        # has to be removed first, so that is the page to go to.
        return see_other(campaign_url(campaign_id, f"/lists/{exc.list_id}/remove?not_queued=1"))
    if accepted is not None:
        return see_other(campaign_url(campaign_id, f"/lists/{accepted.id}"))
    return render_campaign(request, "lists/upload.html", campaign, {"form": form}, 400)


async def _upload(page: Page, campaign_id: UUID, form: UploadForm) -> PatientList:
    upload: UploadFile = form.file.data
    filename = upload.filename or "patients.csv"
    suffix = filename[filename.rfind(".") :].lower()
    return await page.api.upload_list(
        campaign_id, form.channel.data, filename, upload.file, MEDIA.get(suffix, "text/csv")
    )


@router.get("/campaigns/{campaign_id}/lists/{list_id}")
async def list_status(
    request: Request, campaign_id: UUID, list_id: UUID, page: PageDep
) -> Response:
    campaign = await page.api.campaign(campaign_id)
    patient_list = await page.api.patient_list(campaign_id, list_id)
    context = {"list": patient_list, "progress": progress(patient_list, datetime.now(UTC))}
    return render_campaign(request, "lists/status.html", campaign, context, block="progress")


@router.get("/campaigns/{campaign_id}/lists/{list_id}/unsuccessful.csv")
async def unsuccessful_csv(campaign_id: UUID, list_id: UUID, page: PageDep) -> Response:
    return passed_on(await page.api.unsuccessful_csv(campaign_id, list_id))


@router.get("/campaigns/{campaign_id}/lists/{list_id}/remove")
async def remove_list_page(
    request: Request, campaign_id: UUID, list_id: UUID, page: PageDep
) -> Response:
    campaign = await page.api.campaign(campaign_id)
    target = removable(campaign, (await page.api.patient_lists(campaign_id)).items)
    # The campaign page offers only this list, and only to someone who may send: anything else
    # (sent since, another list uploaded since, an old bookmark) goes back to what is true now.
    if target is None or target.id != list_id or not may_send(request):
        return see_other(campaign_url(campaign_id))
    return _remove_page(request, campaign, target)


@router.post("/campaigns/{campaign_id}/lists/{list_id}/remove")
async def remove_list(
    request: Request, campaign_id: UUID, list_id: UUID, page: PageDep
) -> Response:
    await check_action(request)
    try:
        await page.api.remove_patient_list(campaign_id, list_id)
    except Conflict as exc:
        # Campaign says why (sent since, or another list uploaded since) and what to do.
        campaign = await page.api.campaign(campaign_id)
        target = await page.api.patient_list(campaign_id, list_id)
        return _remove_page(request, campaign, target, exc.message, status=400)
    return see_other(campaign_url(campaign_id, "?removed=list"))


def _remove_page(
    request: Request,
    campaign: Campaign,
    target: PatientList,
    problem: str | None = None,
    *,
    status: int = 200,
) -> Response:
    context = {
        "list": target,
        "form": make_form(request, ActionForm),
        "problem": problem,
        "has_errors": problem is not None,
        "not_queued": request.query_params.get("not_queued") == "1",
    }
    return render_campaign(request, "lists/remove.html", campaign, context, status)
