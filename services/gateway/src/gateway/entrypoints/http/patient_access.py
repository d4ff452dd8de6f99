"""What the routes patients reach share (the public link and unsubscribe endpoints, and the
patient service's API): a request limit per address, link tokens refused before campaign is
asked, and the envelope of requests made on a patient's behalf."""

import math

from fastapi import Request, Response

from cohort_contracts.envelope import Message, Model
from cohort_http.token_buckets import TokenBuckets

from ...domain.caller import Caller, Envelope
from ...domain.link_tokens import link_org
from ...ports import CampaignClient
from .errors import ApiError

#: Who asks campaign on the patient's behalf when they follow a link (the audit's actor).
PATIENT_LINK_ACTOR = "patient-link"


def client_address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def throttle(limiter: TokenBuckets, address: str) -> None:
    """429 with ``Retry-After`` once ``address`` has asked too often."""
    wait = limiter.take(address)
    if wait:
        raise ApiError(
            429,
            "too_many_requests",
            "Too many requests. Wait a moment and try again.",
            {"retry_after_s": math.ceil(wait)},
            headers={"Retry-After": str(math.ceil(wait))},
        )


def not_a_link() -> ApiError:
    return ApiError(404, "not_found", "This link is not valid. Check it was copied in full.")


def on_behalf_of_patient(actor: str, org: str | None) -> Envelope:
    """A patient has no account: ``actor`` names the route they came by, ``org`` is the
    organisation their link's token names. A token that names none cannot be one of ours: 404,
    before campaign is asked."""
    if org is None:
        raise not_a_link()
    return Caller(user_id=actor, org_id=org).envelope()


def following_link(token: str) -> Envelope:
    """The envelope of a request for a patient who followed their booking or questionnaire
    link: the public page's and the patient service's alike."""
    return on_behalf_of_patient(PATIENT_LINK_ACTOR, link_org(token))


async def ask_uncached(campaign: CampaignClient, request: Message, response: Response) -> Model:
    """Campaign's answer about one patient's link: personal, so never kept by a shared cache or
    the browser's history."""
    response.headers["Cache-Control"] = "no-store"
    return await campaign.request(request)
