"""The gateway's webhook side, faked: Firetext's receipt and inbound POSTs (from the real
simulator) become ``ProcessFiretextReceipt`` / ``ProcessFiretextInbound`` on the real broker,
after the same token check the gateway makes."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cohort_contracts.routing import FIRETEXT_INBOUND, FIRETEXT_RECEIPTS
from cohort_contracts.sending import ProcessFiretextInbound, ProcessFiretextReceipt
from cohort_platform.broker import make_broker, publish
from cohort_platform.settings import RabbitSettings
from cohort_platform.topology import Topology
from cohort_platform.webhooks import DEV_WEBHOOK_SECRET, token_is_valid

from ..builders import ORG
from ..servers import serve


class GatewayDouble:
    def __init__(self, rabbit: RabbitSettings) -> None:
        self.broker = make_broker(rabbit)
        self.topology = Topology(rabbit)
        self.refused = 0
        self.app = Starlette(
            routes=[
                Route("/receipts", self._receipt, methods=["POST"]),
                Route("/inbound", self._inbound, methods=["POST"]),
            ]
        )

    async def _receipt(self, request: Request) -> Response:
        org = request.query_params.get("org", "")
        if not token_is_valid(DEV_WEBHOOK_SECRET, org, request.query_params.get("token", "")):
            self.refused += 1
            return JSONResponse({"error": "forbidden"}, status_code=403)
        fields = await _form_fields(request)
        command = ProcessFiretextReceipt(
            correlation_id=uuid.uuid4(),
            org_id=org,
            mobile=fields.get("mobile", ""),
            status=fields.get("status", ""),
            reference=fields.get("reference", ""),
            time=fields.get("time"),
            code=fields.get("code"),
        )
        await publish(self.broker, self.topology, FIRETEXT_RECEIPTS, command)
        return JSONResponse({"result": "success"})

    async def _inbound(self, request: Request) -> Response:
        fields = await _form_fields(request)
        command = ProcessFiretextInbound(
            correlation_id=uuid.uuid4(),
            org_id=ORG,
            source=fields.get("source", ""),
            destination=fields.get("destination", ""),
            message=fields.get("message", ""),
            time=fields.get("time"),
        )
        await publish(self.broker, self.topology, FIRETEXT_INBOUND, command)
        return JSONResponse({"status": "ok"})


@asynccontextmanager
async def gateway_double(rabbit: RabbitSettings) -> AsyncIterator[str]:
    """Yields the gateway's base URL (``/receipts``, ``/inbound``)."""
    double = GatewayDouble(rabbit)
    await double.broker.connect()
    try:
        async with serve(double.app) as url:
            yield url
    finally:
        await double.broker.stop()


async def _form_fields(request: Request) -> dict[str, str]:
    """A webhook's form fields (Firetext posts text only)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}
