"""``/v1/links/{token}``: what a patient's booking or questionnaire link is for.

Public (the patient has no account): the token itself is the credential, signed by campaign as
``<ODS code>.<payload>.<signature>``. A token that cannot be one is 404 without asking campaign,
and each client address is rate-limited so tokens cannot be guessed quickly. The token is never
logged."""

import math
import re
from uuid import uuid4

from fastapi import APIRouter, Request, Response

from cohort_contracts.campaign_requests import ResolveLink
from cohort_contracts.campaign_views import LinkView
from cohort_contracts.envelope import Model

from ...domain.identity import ODS_CODE
from .errors import ApiError, error_responses
from .wiring import WiringDep

router = APIRouter(prefix="/v1/links", tags=["patient links"])

#: Who asks campaign on the patient's behalf (the audit's actor).
LINK_ACTOR = "patient-link"
#: base64url segments; ``fullmatch``, as ``$`` would let a trailing newline through.
_TOKEN = re.compile(r"[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+){2}")
_MIN_TOKEN, _MAX_TOKEN = 10, 500


def _not_found() -> ApiError:
    return ApiError(404, "not_found", "This link is not valid. Check it was copied in full.")


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
    client = request.client.host if request.client is not None else "unknown"
    wait = wiring.link_limiter.take(client)
    if wait:
        raise ApiError(
            429,
            "too_many_requests",
            "Too many requests. Wait a moment and try again.",
            {"retry_after_s": math.ceil(wait)},
            headers={"Retry-After": str(math.ceil(wait))},
        )
    ods = token.split(".", 1)[0]
    if not (
        _MIN_TOKEN <= len(token) <= _MAX_TOKEN and _TOKEN.fullmatch(token) and ODS_CODE.match(ods)
    ):
        raise _not_found()
    # A link is personal: keep it out of shared caches and browser history stores.
    response.headers["Cache-Control"] = "no-store"
    request_ = ResolveLink(correlation_id=uuid4(), org_id=ods, actor=LINK_ACTOR, token=token)
    return await wiring.campaign.request(request_)
