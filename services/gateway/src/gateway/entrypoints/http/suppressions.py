"""``/v1/suppressions``: the organisation's opt-out list (patients who replied STOP, used an
email's unsubscribe link, or were added by staff), and ``/v1/unsubscribe/{token}``: the public
one-click unsubscribe endpoint of emails' ``List-Unsubscribe`` header (RFC 8058)."""

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from pydantic import ConfigDict, Field, StringConstraints

from cohort_contracts.envelope import Model
from cohort_contracts.opt_out import (
    MAX_SUPPRESSIONS,
    AddSuppression,
    ListSuppressions,
    RemoveSuppression,
    SuppressionList,
    SuppressionView,
    Unsubscribe,
    UnsubscribeResult,
)

from ...domain.link_tokens import unsubscribe_org
from .errors import error_responses
from .models import Body
from .patient_access import client_address, on_behalf_of_patient, throttle
from .staff_campaign import ActingCampaignDep, CampaignDep, staff_router
from .wiring import WiringDep

router = staff_router(prefix="/v1/suppressions", tag="opt-outs")
public = APIRouter(prefix="/v1/unsubscribe", tags=["opt-outs"])

Contact = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=320)]
SuppressionPath = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
#: Who asks campaign on the patient's behalf (kept in the opt-out's history).
UNSUBSCRIBE_ACTOR = "patient-unsubscribe"


class NewSuppression(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"contact": "07700900123"}]})

    contact: Contact = Field(description="A UK mobile number or an email address")


@router.get(
    "",
    response_model=SuppressionList,
    summary="The opt-out list: numbers and addresses that are not messaged",
    description="A network user sees its member practices' lists.",
)
async def list_suppressions(campaign: CampaignDep) -> Model:
    return await campaign.ask(ListSuppressions(**campaign.envelope(), limit=MAX_SUPPRESSIONS))


@router.post(
    "",
    status_code=201,
    response_model=SuppressionView,
    summary="Add a number or address to the opt-out list",
    description="Unsent messages to it in every campaign are excluded at once (`OPTED_OUT`). "
    "Network users name the practice in `X-Act-For-Org`.",
)
async def add_suppression(
    body: NewSuppression, campaign: ActingCampaignDep, response: Response
) -> Model:
    request = AddSuppression(**campaign.envelope(), contact=body.contact)
    return await campaign.create(request, SuppressionView, response, router)


@router.delete(
    "/{suppression_id}",
    response_model=SuppressionView,
    summary="Remove a number or address from the opt-out list (it is kept in the history)",
    description="Only on the patient's own request: they will be messaged by later campaigns.",
)
async def remove_suppression(suppression_id: SuppressionPath, campaign: CampaignDep) -> Model:
    request = RemoveSuppression(**campaign.envelope(), suppression_id=suppression_id)
    return await campaign.ask(request)


@public.post(
    "/{token}",
    response_model=UnsubscribeResult,
    summary="One-click unsubscribe from an email (public; no sign-in; RFC 8058)",
    description="Mail clients POST `List-Unsubscribe=One-Click` here; the token is signed and "
    "names the recipient. 404 for a token that is not one of ours, 429 when one address asks "
    "too often.",
    responses=error_responses(404, 429, 503),
)
async def unsubscribe(token: str, request: Request, wiring: WiringDep) -> Model:
    throttle(wiring.link_limiter, client_address(request))
    envelope = on_behalf_of_patient(UNSUBSCRIBE_ACTOR, unsubscribe_org(token))
    return await wiring.campaign.request(Unsubscribe(**envelope, token=token))
