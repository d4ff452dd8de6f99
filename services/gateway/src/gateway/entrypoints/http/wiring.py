"""Route access to what the lifespan built."""

from typing import Annotated, cast

from fastapi import Depends, Request

from ...bootstrap import Wiring


def get_wiring(request: Request) -> Wiring:
    return cast(Wiring, request.app.state.wiring)


WiringDep = Annotated[Wiring, Depends(get_wiring)]
