"""Route access to what the lifespan built."""

from typing import Annotated, cast

from fastapi import Depends, Request

from ...bootstrap import Wiring


def wiring_of(request: Request) -> Wiring:
    return cast(Wiring, request.app.state.wiring)


async def get_wiring(request: Request) -> Wiring:
    # The dependency is async although it awaits nothing: FastAPI runs a plain ``def``
    # dependency in its thread pool, a hop that cost a quarter of the gateway's CPU per request
    # under Firetext's receipts (one webhook call per message; py-spy, bench/README.md).
    return wiring_of(request)


WiringDep = Annotated[Wiring, Depends(get_wiring)]
