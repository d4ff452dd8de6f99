"""Firetext's own HTTP API: ``/api/sendsms/json`` and ``/api/credit/json``."""

from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from firetext_sim.gateway import Account
from firetext_sim.limits import Faults
from firetext_sim.validation import DESCRIPTIONS, SendCode


def firetext_router(account: Account, faults: Faults) -> APIRouter:
    router = APIRouter()

    async def refused() -> Response | None:
        account.stats.requests += 1
        status = await faults.refusal()
        if status == 429:
            account.stats.throttled += 1
            return PlainTextResponse("Too Many Requests", status_code=429)
        if status == 500:
            account.stats.errors += 1
            return PlainTextResponse("Internal Server Error", status_code=500)
        return None

    # Firetext takes GET with a query string (its PHP SDK) or a form POST (Notify).
    @router.api_route("/api/sendsms/json", methods=["GET", "POST"])
    async def send_sms(request: Request) -> Response:
        # Read before any fault: a request that times out has reached Firetext whole, and is
        # taken even though the caller stopped waiting (the doubt a real timeout leaves).
        params = await _params(request)
        if refusal := await refused():
            return refusal
        result = account.send(params)
        body = {
            "code": int(result.code),
            "description": DESCRIPTIONS[result.code],
            "responseData": result.credits_used,
            "data": [],
        }
        headers = {"X-Message": result.message_id} if result.message_id else None
        return JSONResponse(body, headers=headers)

    @router.api_route("/api/credit/json", methods=["GET", "POST"])
    async def credit(request: Request) -> Response:
        if refusal := await refused():
            return refusal
        if (await _params(request)).get("apiKey") != account.api_key:
            code = SendCode.AUTHENTICATION
            body = {"code": int(code), "description": DESCRIPTIONS[code], "responseData": 0}
            return JSONResponse(body)
        balance = account.credit
        return JSONResponse(
            {"code": 0, "description": f"You have {balance} credits", "responseData": balance}
        )

    return router


async def _params(request: Request) -> dict[str, str]:
    params = dict(request.query_params)
    if request.method != "POST":
        return params
    if request.headers.get("content-type", "").startswith(FORM):
        # Parsed directly: the multipart-capable form parser costs several times as much, and
        # every message sent comes this way.
        params.update(parse_qsl((await request.body()).decode(), keep_blank_values=True))
    else:
        form = await request.form()
        params.update((name, value) for name, value in form.items() if isinstance(value, str))
    return params


FORM = "application/x-www-form-urlencoded"
