"""The patient service in-process, its gateway a fake (``fake_gateway.py``), its pages read
as HTML."""

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx2
import pytest

from cohort_testing.in_process import app_client
from patient.app import create_app
from patient.config import PatientSettings

from .fake_gateway import SECRET, FakeGateway


@dataclass
class Patient:
    client: httpx2.AsyncClient
    gateway: FakeGateway


@pytest.fixture
async def patient() -> AsyncIterator[Patient]:
    gateway = FakeGateway()
    settings = PatientSettings(gateway_secret=SECRET, nhs_fonts=False, gateway_url="http://gateway")
    app = create_app(settings, transport=httpx2.ASGITransport(app=gateway.app))
    async with app_client(app, "http://patient") as client:
        yield Patient(client, gateway)
