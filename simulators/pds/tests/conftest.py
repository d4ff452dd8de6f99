from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx2
import pytest
from fastapi import FastAPI

from pds_sim.app import FHIR_BASE_PATH, create_app
from pds_sim.config import Settings

DATA_FILE = Path(__file__).parents[1] / "data" / "patients.ndjson"


@asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[httpx2.AsyncClient]:
    """The app behind an in-memory transport, with its lifespan running."""
    transport = httpx2.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx2.AsyncClient(transport=transport, base_url="http://pds.test") as client,
    ):
        yield client


def make_app(**overrides: Any) -> FastAPI:
    return create_app(Settings(**{"patients": DATA_FILE, **overrides}))


async def get_patient(
    client: httpx2.AsyncClient, nhs_number: str, **headers: str
) -> httpx2.Response:
    sent = {"X-Request-ID": str(uuid4()), **headers}
    return await client.get(f"{FHIR_BASE_PATH}/Patient/{nhs_number}", headers=sent)


@pytest.fixture
async def client() -> AsyncIterator[httpx2.AsyncClient]:
    async with serve(make_app()) as client:
        yield client
