"""``/_sim/stats`` and ``/_sim/reset-stats``: the counts a simulator keeps, for a test to read
and to zero before its run. Each simulator counts its own things; this holds only the routes."""

from collections.abc import Callable

from fastapi import APIRouter


def stats_router(read: Callable[[], dict[str, int]], reset: Callable[[], None]) -> APIRouter:
    """``reset-stats`` answers the counts as they stand after zeroing, as ``stats`` would."""
    router = APIRouter(prefix="/_sim")

    @router.get("/stats")
    async def stats() -> dict[str, int]:
        return read()

    @router.post("/reset-stats")
    async def reset_stats() -> dict[str, int]:
        reset()
        return read()

    return router
