"""The Firetext simulator's ASGI application."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2
from fastapi import FastAPI
from httpx_aiohttp.httpx2 import Httpx2AiohttpClient

from firetext_sim.api import firetext_router
from firetext_sim.config import Settings
from firetext_sim.gateway import Account
from firetext_sim.limits import Faults
from firetext_sim.outcomes import OutcomeRules
from firetext_sim.receipts import ReceiptSender
from firetext_sim.sim_api import FaultRequest, sim_router
from sim_common.fault_windows import fault_router
from sim_common.rate_limit import RateLimiter
from sim_common.stats import stats_router


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    receipts = ReceiptSender(
        # The aiohttp transport: httpx2's own connection pool costs several times the CPU per
        # request (reference/limits.md), and a receipt is posted for every message sent.
        Httpx2AiohttpClient(
            # The wait for a free connection is not the receiver's fault: it never counts as a
            # failed attempt, however many receipts are due at once.
            timeout=httpx2.Timeout(settings.receipt_timeout_s, pool=None),
            limits=httpx2.Limits(max_connections=settings.receipt_connections),
        ),
        delay_s=settings.receipt_delay_ms / 1000,
        attempts=settings.receipt_attempts,
        backoff_s=settings.receipt_backoff_ms / 1000,
    )
    account = Account(
        api_key=settings.api_key,
        credit=settings.credit,
        rules=OutcomeRules(settings.outcomes),
        receipts=receipts,
    )
    faults = Faults(
        latency_s=settings.latency_ms / 1000,
        error_rate=settings.error_rate,
        limiter=RateLimiter(settings.rate_limit),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        # Pending receipts die with the simulator, as a stopped gateway sends none.
        await receipts.aclose()

    app = FastAPI(title="Firetext simulator", docs_url=None, redoc_url=None, lifespan=lifespan)
    app.include_router(firetext_router(account, faults))
    app.include_router(sim_router(account))
    app.include_router(stats_router(account.stats_json, account.reset_stats))
    app.include_router(fault_router(faults.windows, FaultRequest))

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
