"""Route access to what the lifespan built."""

from typing import Annotated, TypedDict, cast
from uuid import UUID

from fastapi import Depends, Request

from ...bootstrap import Wiring
from ...caller import Caller


def get_wiring(request: Request) -> Wiring:
    return cast(Wiring, request.app.state.wiring)


WiringDep = Annotated[Wiring, Depends(get_wiring)]


class Envelope(TypedDict):
    correlation_id: UUID
    org_id: str
    actor: str


def envelope(caller: Caller) -> Envelope:
    """The fields every request to campaign carries: the token's org is the only tenancy."""
    return Envelope(
        correlation_id=caller.correlation_id, org_id=caller.org_id, actor=caller.user_id
    )
