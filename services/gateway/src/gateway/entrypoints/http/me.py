"""``/v1/me``: who the token is for and which practices it may act for (a web app's header)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field

from .auth import SignedInRoute, authenticate, bearer
from .errors import error_responses
from .wiring import WiringDep

router = APIRouter(prefix="/v1", tags=["organisations"], route_class=SignedInRoute)


class Organisation(BaseModel):
    ods: str = Field(examples=["A81001"])
    name: str | None = Field(description="From the operator's organisations file, if named there")


class Me(BaseModel):
    user: str = Field(description="The token's user id (sub)")
    organisation: Organisation = Field(description="The token's own organisation")
    is_network: bool = Field(
        description="A network user reads all its practices and acts for one at a time, named "
        "in X-Act-For-Org"
    )
    practices: list[Organisation] = Field(
        description="The practices this user may act for: its own, or its network's members"
    )
    roles: list[str] = Field(
        description="sender: may compose and send; viewer: may read. Empty: no Cohort role."
    )


@router.get(
    "/me",
    response_model=Me,
    summary="The signed-in user, its organisation and the practices it may act for",
    responses=error_responses(401),
)
async def me(
    request: Request,
    wiring: WiringDep,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Me:
    identity = authenticate(request)
    organisations = wiring.organisations

    def named(ods: str) -> Organisation:
        return Organisation(ods=ods, name=organisations.name(ods))

    return Me(
        user=identity.user_id,
        organisation=named(identity.org_id),
        is_network=organisations.is_network(identity.org_id),
        practices=[named(ods) for ods in organisations.readable_by(identity.org_id)],
        roles=sorted(identity.roles),
    )
