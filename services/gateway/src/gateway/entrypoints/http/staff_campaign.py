"""The staff API's routers, and the campaign service as their routes ask it: every request made
for the signed-in caller starts with their envelope, and campaign's reply is what the route
answers."""

from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Response

from cohort_contracts.campaign_views import CampaignView, TemplateView
from cohort_contracts.envelope import Message, Model
from cohort_contracts.opt_out import SuppressionView

from ...domain.caller import Caller, Envelope
from ...ports import CampaignClient, expect
from .auth import ActorDep, AuthenticatedRoute, CallerDep
from .created import point_to_created
from .errors import error_responses
from .wiring import WiringDep

#: The errors every staff route can answer: no valid token (401), not the role (403), a campaign
#: or practice out of the caller's reach (404), invalid input or ``X-Act-For-Org`` (422), and
#: campaign not answering (503).
STAFF_ERRORS = error_responses(401, 403, 404, 422, 503)


def staff_router(
    *, prefix: str = "", tag: str, route_class: type[AuthenticatedRoute] = AuthenticatedRoute
) -> APIRouter:
    """A router of the staff API: its routes check the token and the role before anything else
    (``route_class``), and document ``STAFF_ERRORS`` besides their own."""
    return APIRouter(prefix=prefix, tags=[tag], route_class=route_class, responses=STAFF_ERRORS)


#: What staff create through campaign, each answered with its new ``id``.
Created = TypeVar("Created", CampaignView, TemplateView, SuppressionView)


@dataclass(frozen=True)
class StaffCampaign:
    caller: Caller
    client: CampaignClient

    def envelope(self) -> Envelope:
        return self.caller.envelope()

    async def ask(self, request: Message) -> Model:
        return await self.client.request(request)

    async def create(
        self, request: Message, view: type[Created], response: Response, router: APIRouter
    ) -> Created:
        """Asks for something new and answers campaign's ``view`` of it, with ``Location``
        pointing to where it now lives among ``router``'s routes."""
        created = expect(await self.ask(request), view)
        point_to_created(response, router, created.id)
        return created


async def reading_campaign(caller: CallerDep, wiring: WiringDep) -> StaffCampaign:
    return StaffCampaign(caller, wiring.campaign)


async def acting_campaign(caller: ActorDep, wiring: WiringDep) -> StaffCampaign:
    return StaffCampaign(caller, wiring.campaign)


#: For reading and changing: ``X-Act-For-Org`` is optional and narrows what is seen.
CampaignDep = Annotated[StaffCampaign, Depends(reading_campaign)]
#: For creating: a network user must name the practice in ``X-Act-For-Org``.
ActingCampaignDep = Annotated[StaffCampaign, Depends(acting_campaign)]
