"""The whole process (``create_app``'s lifespan) on the real RabbitMQ, with stub providers."""

import logging

import httpx2
import pytest

from cohort_contracts.routing import SEND_MESSAGES
from cohort_platform.settings import RabbitSettings
from dispatch.config import Settings
from dispatch.entrypoints.app import create_app

from ..builders import make_send_messages
from ..fakes import FakeCampaignClaims
from .campaign_double import campaign_double
from .conftest import eventually

pytestmark = pytest.mark.integration


async def test_the_service_consumes_sends_and_reports_ready(rabbit: RabbitSettings) -> None:
    settings = Settings(sms_provider="stub", email_provider="stub")
    app = create_app(settings, rabbit)
    cmd = make_send_messages(3)
    claims = FakeCampaignClaims(m.recipient_id for m in cmd.messages)
    root_handlers = logging.getLogger().handlers[:]
    try:
        async with app.router.lifespan_context(app):
            transport = httpx2.ASGITransport(app=app)
            async with httpx2.AsyncClient(transport=transport, base_url="http://dispatch") as http:
                ready = await http.get("/readyz")
                assert ready.status_code == 200
                assert ready.json()["checks"] == {"broker": True}
                assert (await http.get("/healthz")).status_code == 200

            async with campaign_double(rabbit, claims) as campaign:
                await campaign.send(SEND_MESSAGES, cmd)
                await eventually(lambda: len(campaign.messages_sent) == 1)

        (event,) = campaign.messages_sent
        assert {o.status for o in event.outcomes} == {"sent"}
        assert all(o.provider_reference for o in event.outcomes)
    finally:
        # configure_logging replaced the root handlers; give pytest's back.
        logging.getLogger().handlers[:] = root_handlers
