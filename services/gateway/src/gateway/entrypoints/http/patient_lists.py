"""``/v1/campaigns/{id}/patient-lists``: upload a CSV or .xlsx, follow its progress, download
failures, remove a draft's most recent list."""

import ntpath
from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from uuid import UUID

from fastapi import File, Form, Request, Response, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import Field

from cohort_contracts.campaign_requests import GetPatientList, ListPatientLists, RemovePatientList
from cohort_contracts.campaign_views import CampaignView, PatientListsView, PatientListView
from cohort_contracts.envelope import Model
from cohort_contracts.vocabulary import Channel
from cohort_http.body_limit import BodyTooLarge, capped_receive, declared_over

from ...domain.uploads import FileFormat
from ...domain.uploads.errors import FileTooLarge
from ...handlers.patient_lists import accept_patient_list
from ...handlers.unsuccessful_rows import fetch_page, unsuccessful_rows_csv
from .about_campaign import ask_about_campaign
from .auth import ActorDep, AuthenticatedRoute, acting_caller, verify_request
from .created import point_to_created
from .downloads import csv_download, csv_responses
from .errors import error_responses
from .staff_campaign import CampaignDep, staff_router
from .wiring import WiringDep, wiring_of

PREFIX = "/v1/campaigns/{campaign_id}/patient-lists"


class UploadRoute(AuthenticatedRoute):
    """Caps the request body while it streams in, at ``GATEWAY_MAX_UPLOAD_BYTES`` (the general
    ``BodyLimit`` leaves this route to it), and refuses more as a file too large. Starlette
    spools a file part into a ``SpooledTemporaryFile`` (memory up to 1 MB, then disk) with no
    size limit of its own, so the cap has to be on the bytes received: the file on disk never
    exceeds it, and a declared Content-Length over it is refused before anything is read."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def within_limit(request: Request) -> Response:
            # Who acts for which practice is settled before a byte of the file is read.
            self.check(request, await verify_request(request))
            acting_caller(request)
            limit = wiring_of(request).settings.max_upload_bytes
            if declared_over(request.scope, limit):
                raise FileTooLarge(limit)
            try:
                return await handle(
                    Request(request.scope, capped_receive(request.scope, request.receive, limit))
                )
            except BodyTooLarge:
                raise FileTooLarge(limit) from None

        return within_limit


class UploadAccepted(PatientListView):
    """The registered list, and how the file was read."""

    format: FileFormat = Field(description="How the file was read: csv or xlsx")
    columns_recognised: dict[str, str | None] = Field(
        description="Each column looked for (NHS number, date of birth, given name, family "
        "name) and the file's own name for it; null when the file has none. Every column is "
        "kept as it is in the unsuccessful-rows download.",
        examples=[
            {
                "NHS number": "NHS No",
                "date of birth": "DOB",
                "given name": "Forename",
                "family name": None,
            }
        ],
    )


upload_router = staff_router(prefix=PREFIX, tag="patient lists", route_class=UploadRoute)
router = staff_router(prefix=PREFIX, tag="patient lists")


@upload_router.post(
    "",
    status_code=202,
    response_model=UploadAccepted,
    summary="Upload a patient list (CSV or .xlsx) for the campaign",
    description="The whole file is checked before anything is accepted: a file that cannot be "
    "read (not CSV or .xlsx, no NHS number or date-of-birth column, over the size or row limit) "
    "is refused with nothing registered. An .xlsx is read from its first visible sheet, each "
    "cell as Excel shows it. Accepted rows are then checked against PDS one by one; follow "
    "progress at the Location URL. Network users name the campaign's practice in "
    "`X-Act-For-Org`.",
    responses=error_responses(409, 413),
)
async def upload_patient_list(
    campaign_id: UUID,
    file: Annotated[
        UploadFile, File(description="CSV exported from the clinical system, or an .xlsx")
    ],
    channel: Annotated[Channel, Form(description="How these patients are messaged")],
    caller: ActorDep,
    wiring: WiringDep,
    response: Response,
) -> UploadAccepted:
    accepted = await accept_patient_list(
        wiring.campaign,
        wiring.publisher,
        caller,
        campaign_id=campaign_id,
        channel=channel,
        filename=_filename(file.filename),
        file=file.file,
        limits=wiring.limits,
    )
    view = accepted.view
    point_to_created(response, upload_router, view.id, campaign_id=campaign_id)
    return UploadAccepted(
        **view.model_dump(),
        format=accepted.format,
        columns_recognised=accepted.columns_recognised,
    )


ask_about_campaign(
    router,
    "GET",
    "",
    ListPatientLists,
    name="list_patient_lists",
    response_model=PatientListsView,
    summary="Every patient list of the campaign, oldest first, with its progress",
)


@router.get(
    "/{list_id}",
    response_model=PatientListView,
    summary="Progress of a patient list and its failures by reason",
)
async def get_patient_list(campaign_id: UUID, list_id: UUID, campaign: CampaignDep) -> Model:
    request = GetPatientList(**campaign.envelope(), campaign_id=campaign_id, list_id=list_id)
    return await campaign.ask(request)


@router.delete(
    "/{list_id}",
    response_model=CampaignView,
    summary="Remove a draft campaign's most recent patient list, with every patient it added",
    description="For the wrong file, or an upload whose rows could not all be queued (503 on "
    "upload): remove it, then upload the file again. Answers the campaign as it now is. 409 "
    "when the campaign is no longer a draft or a later list has been uploaded since (campaign's "
    "message says what to do).",
    responses=error_responses(409),
)
async def remove_patient_list(campaign_id: UUID, list_id: UUID, campaign: CampaignDep) -> Model:
    request = RemovePatientList(**campaign.envelope(), campaign_id=campaign_id, list_id=list_id)
    return await campaign.ask(request)


@router.get(
    "/{list_id}/unsuccessful.csv",
    response_class=StreamingResponse,
    summary="The rows that could not be resolved, with the reason for each",
    description="The list's original columns, then row_number, reason_code and reason.",
    responses=csv_responses(),
)
async def unsuccessful_rows(
    campaign_id: UUID, list_id: UUID, campaign: CampaignDep
) -> StreamingResponse:
    first = await fetch_page(campaign.client, campaign.caller, campaign_id, list_id, after_row=0)
    return csv_download(
        unsuccessful_rows_csv(campaign.client, campaign.caller, campaign_id, list_id, first),
        f"unsuccessful-rows-{list_id}.csv",
    )


def _filename(raw: str | None) -> str:
    # Browsers on Windows may send a full path ("C:\\fakepath\\list.csv").
    name = ntpath.basename(raw or "").strip()
    return name[:255] or "patient-list.csv"
