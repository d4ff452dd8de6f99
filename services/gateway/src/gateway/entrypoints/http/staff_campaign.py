"""The campaign service as the staff API's routes ask it: every request made for the signed-in
caller starts with their envelope, and campaign's reply is what the route answers."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from cohort_contracts.envelope import Message, Model

from ...domain.caller import Caller, Envelope
from ...ports import CampaignClient
from .auth import ActorDep, CallerDep
from .wiring import WiringDep


@dataclass(frozen=True)
class StaffCampaign:
    caller: Caller
    client: CampaignClient

    def envelope(self) -> Envelope:
        return self.caller.envelope()

    async def ask(self, request: Message) -> Model:
        return await self.client.request(request)


async def reading_campaign(caller: CallerDep, wiring: WiringDep) -> StaffCampaign:
    return StaffCampaign(caller, wiring.campaign)


async def acting_campaign(caller: ActorDep, wiring: WiringDep) -> StaffCampaign:
    return StaffCampaign(caller, wiring.campaign)


#: For reading and changing: ``X-Act-For-Org`` is optional and narrows what is seen.
CampaignDep = Annotated[StaffCampaign, Depends(reading_campaign)]
#: For creating: a network user must name the practice in ``X-Act-For-Org``.
ActingCampaignDep = Annotated[StaffCampaign, Depends(acting_campaign)]
