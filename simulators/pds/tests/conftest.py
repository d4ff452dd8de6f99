from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx2
import pytest
from fastapi import FastAPI

from cohort_testing.in_process import app_client
from pds_sim.app import FHIR_BASE_PATH, create_app
from pds_sim.config import Settings

DATA_FILE = Path(__file__).parents[1] / "data" / "patients.ndjson"


def serve(app: FastAPI) -> AbstractAsyncContextManager[httpx2.AsyncClient]:
    """The app behind an in-memory transport, with its lifespan running."""
    return app_client(app, "http://pds.test")


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
