"""What the routes patients reach share (the public link and unsubscribe endpoints, and the
patient service's API): a request limit per address, link tokens refused before campaign is
asked, and the envelope of requests made on a patient's behalf."""

import math

from fastapi import Request

from cohort_http.token_buckets import TokenBuckets

from ...domain.caller import Caller, Envelope
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


def on_behalf_of_patient(actor: str, org: str) -> Envelope:
    """A patient has no account: ``actor`` names the route they came by, ``org`` is the
    organisation their link's token names."""
    return Caller(user_id=actor, org_id=org).envelope()
