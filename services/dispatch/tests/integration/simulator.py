"""The real Firetext simulator (``simulators/firetext``) under uvicorn on a free port, and its
test endpoints: every message it accepted (one per handset), its stats, its credit."""

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
import pytest

from ..servers import serve

sim_app = pytest.importorskip("firetext_sim.app")
sim_config = pytest.importorskip("firetext_sim.config")


class Simulator:
    def __init__(self, url: str, http: httpx2.AsyncClient) -> None:
        self.url = url
        self._http = http

    async def messages(self) -> list[dict[str, Any]]:
        response = await self._http.get("/_sim/messages")
        response.raise_for_status()
        entries: list[dict[str, Any]] = response.json()
        return entries

    async def per_handset(self) -> Counter[str]:
        return Counter(entry["mobile"] for entry in await self.messages())

    async def stats(self) -> dict[str, int]:
        response = await self._http.get("/_sim/stats")
        stats: dict[str, int] = response.json()
        return stats

    async def set_credit(self, credit: int) -> None:
        (await self._http.post("/_sim/credit", json={"credit": credit})).raise_for_status()

    async def push_inbound(self, url: str, source: str, message: str) -> int:
        response = await self._http.post(
            "/_sim/inbound",
            json={"url": url, "source": source, "destination": "447000000001", "message": message},
        )
        return response.status_code


@asynccontextmanager
async def firetext_simulator(**settings: Any) -> AsyncIterator[Simulator]:
    config = sim_config.Settings(**{"receipt_delay_ms": 50, "receipt_backoff_ms": 20, **settings})
    async with (
        serve(sim_app.create_app(config), lifespan="on") as url,
        httpx2.AsyncClient(base_url=url) as http,
    ):
        yield Simulator(url, http)
