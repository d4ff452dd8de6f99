"""``/v1/links/{token}``: what a patient's booking or questionnaire link is for.

Public (the patient has no account): the token itself is the credential, signed by campaign as
``<ODS code>.<payload>.<signature>``. A token that cannot be one is 404 without asking campaign,
and each client address is rate-limited so tokens cannot be guessed quickly. The token is never
logged."""

from fastapi import APIRouter, Request, Response

from cohort_contracts.campaign_requests import ResolveLink
from cohort_contracts.campaign_views import LinkView
from cohort_contracts.envelope import Model

from .errors import error_responses
from .patient_access import ask_uncached, client_address, following_link, throttle
from .wiring import WiringDep

router = APIRouter(prefix="/v1/links", tags=["patient links"])


@router.get(
    "/{token}",
    response_model=LinkView,
    summary="What a patient's link is for (public; no sign-in)",
    description="404 for a link that is not one of ours, 410 for one that has expired, 429 when "
    "one address asks too often. Records that the patient opened the link.",
    responses=error_responses(404, 410, 429, 503),
)
async def resolve_link(
    token: str, request: Request, wiring: WiringDep, response: Response
) -> Model:
    throttle(wiring.link_limiter, client_address(request))
    envelope = following_link(token)
    return await ask_uncached(wiring.campaign, ResolveLink(**envelope, token=token), response)
