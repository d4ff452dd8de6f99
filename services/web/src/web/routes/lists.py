"""Upload a patient list, follow its check against PDS, download the unsuccessful rows."""

from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from starlette.datastructures import UploadFile

from cohort_http.session_forms import make_form, posted_form, see_other

from ..api_client import Conflict, Invalid
from ..forms import UploadForm
from ..pages.lists import progress
from .common import PageDep, campaign_url, render

router = APIRouter()

MEDIA = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get("/campaigns/{campaign_id}/upload")
async def upload_page(request: Request, campaign_id: UUID, page: PageDep) -> Response:
    campaign = await page.api.campaign(campaign_id)
    form = make_form(request, UploadForm)
    context = {"nav": "campaigns", "campaign": campaign, "form": form}
    return render(request, "lists/upload.html", context)


@router.post("/campaigns/{campaign_id}/upload")
async def upload(request: Request, campaign_id: UUID, page: PageDep) -> Response:
    campaign = await page.api.campaign(campaign_id)
    form = await posted_form(request, UploadForm)
    if not form.field_errors():
        upload: UploadFile = form.file.data
        filename = upload.filename or "patients.csv"
        suffix = filename[filename.rfind(".") :].lower()
        try:
            accepted = await page.api.upload_list(
                campaign_id, form.channel.data, filename, upload.file, MEDIA.get(suffix, "text/csv")
            )
        except (Invalid, Conflict) as exc:
            # The gateway read the whole file and says what is wrong with it.
            form.add_error("file", exc.message)
        else:
            return see_other(campaign_url(campaign_id, f"/lists/{accepted.id}"))
    context = {"nav": "campaigns", "campaign": campaign, "form": form}
    return render(request, "lists/upload.html", context, 400)


@router.get("/campaigns/{campaign_id}/lists/{list_id}")
async def list_status(
    request: Request, campaign_id: UUID, list_id: UUID, page: PageDep
) -> Response:
    campaign = await page.api.campaign(campaign_id)
    patient_list = await page.api.patient_list(campaign_id, list_id)
    context = {
        "nav": "campaigns",
        "base": campaign_url(campaign_id),
        "campaign": campaign,
        "list": patient_list,
        "progress": progress(patient_list, datetime.now(UTC)),
    }
    return render(request, "lists/status.html", context, block="progress")


@router.get("/campaigns/{campaign_id}/lists/{list_id}/unsuccessful.csv")
async def unsuccessful_csv(campaign_id: UUID, list_id: UUID, page: PageDep) -> Response:
    download = await page.api.unsuccessful_csv(campaign_id, list_id)
    return StreamingResponse(
        download.chunks(),
        media_type=download.content_type,
        headers={"Content-Disposition": download.disposition},
    )
