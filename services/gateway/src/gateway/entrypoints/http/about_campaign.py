"""Routes whose only input is the campaign in their path: each asks campaign one request naming
it (the caller's envelope and ``campaign_id``) and answers campaign's reply as it is. Declared
with ``ask_about_campaign``, such a route is its path, its request type and its documentation;
the endpoint that asks is written once, here."""

from typing import Literal, Protocol, Unpack
from uuid import UUID

from fastapi import APIRouter

from cohort_contracts.envelope import Message, Model

from ...domain.caller import Envelope
from .errors import error_responses
from .staff_campaign import CampaignDep


class AboutCampaign(Protocol):
    """A request type that names one campaign and nothing more (``GetCampaign``,
    ``CancelCampaign``, …)."""

    def __call__(self, *, campaign_id: UUID, **envelope: Unpack[Envelope]) -> Message: ...


def ask_about_campaign(
    router: APIRouter,
    method: Literal["GET", "POST"],
    path: str,
    request: AboutCampaign,
    *,
    name: str,
    response_model: type[Model],
    summary: str,
    description: str | None = None,
    status_code: int | None = None,
    errors: tuple[int, ...] = (),
) -> None:
    """Adds the route to ``router``. ``name`` is what a function written for it would have been
    called: the OpenAPI operation id is made from it, so it keeps the id clients know."""

    # No docstring: FastAPI would document it as every such route's description.
    async def endpoint(campaign_id: UUID, campaign: CampaignDep) -> Model:
        return await campaign.ask(request(**campaign.envelope(), campaign_id=campaign_id))

    router.add_api_route(
        path,
        endpoint,
        methods=[method],
        name=name,
        response_model=response_model,
        status_code=status_code,
        summary=summary,
        description=description,
        responses=error_responses(*errors),
    )
