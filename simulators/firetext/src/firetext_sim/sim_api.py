"""Test-only endpoints under ``/_sim``: inspect and steer the simulator, push inbound replies."""

from typing import Any, Literal

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from firetext_sim.gateway import Account
from firetext_sim.receipts import POST_ERRORS, uk_time
from sim_common import fault_windows


class FaultRequest(fault_windows.FaultRequest):
    """Firetext has no credentials to refuse mid-run: a ``401`` fault is a 422."""

    mode: Literal["timeout", "5xx", "429"]


class CreditUpdate(BaseModel):
    credit: int = Field(ge=0)


class InboundSms(BaseModel):
    url: str
    source: str
    destination: str
    message: str


def sim_router(account: Account) -> APIRouter:
    router = APIRouter(prefix="/_sim")

    @router.post("/credit")
    async def set_credit(update: CreditUpdate) -> dict[str, int]:
        account.credit = update.credit
        return {"credit": account.credit}

    @router.get("/messages")
    async def list_messages(
        reference: str | None = None, to: str | None = None
    ) -> list[dict[str, Any]]:
        return [entry.as_json() for entry in account.messages.find(reference=reference, to=to)]

    @router.delete("/messages")
    async def clear_messages() -> Response:
        account.messages.clear()
        return Response(status_code=204)

    @router.post("/inbound")
    async def inbound(sms: InboundSms) -> Response:
        """Push a reply as Firetext forwards one to a keyword's URL."""
        form = {
            "source": sms.source,
            "destination": sms.destination,
            "message": sms.message,
            "time": uk_time(),
        }
        try:
            status = await account.receipts.post_form(sms.url, form)
        except POST_ERRORS as exc:
            return JSONResponse({"error": f"could not reach url: {type(exc).__name__}"}, 502)
        # Mirrors the target's status so a test can assert on it directly.
        return JSONResponse({"target_status": status}, status_code=status)

    return router
