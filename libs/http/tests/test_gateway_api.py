import httpx2
import pytest

from cohort_http.gateway_api import GatewayError, GatewayUnavailable, answered, read_error


def answer(status: int, **kw: object) -> httpx2.Response:
    return httpx2.Response(status, **kw)  # type: ignore[arg-type]  # text= or json=


def test_a_refusal_in_the_gateways_shape_is_read() -> None:
    body = {"error": {"code": "invalid", "message": "Too long", "details": {"field": "body"}}}

    assert read_error(answer(422, json=body)) == ("invalid", "Too long", {"field": "body"})


@pytest.mark.parametrize(
    "kw",
    [
        {"text": "<html>Bad gateway</html>"},
        {"json": ["not", "an", "object"]},
        {"json": {"detail": "FastAPI's own shape"}},
        {"json": {"error": "a string"}},
    ],
)
def test_anything_else_is_unknown(kw: dict[str, object]) -> None:
    assert read_error(answer(400, **kw)) == ("unknown", "", {})


def _refused(response: httpx2.Response) -> Exception | None:
    return (
        GatewayError(response.status_code, *read_error(response))
        if response.status_code < 500
        else None
    )


async def _sent(response: httpx2.Response) -> httpx2.Response:
    return response


async def _not_sent() -> httpx2.Response:
    raise httpx2.ConnectError("connection refused")


async def test_an_answer_is_passed_on() -> None:
    response = answer(200, json={"ok": True})

    assert await answered(_sent(response), _refused) is response


async def test_a_refusal_is_the_apps_exception() -> None:
    body = {"error": {"code": "conflict", "message": "Already sent", "details": {}}}

    with pytest.raises(GatewayError) as raised:
        await answered(_sent(answer(409, json=body)), _refused)

    assert (raised.value.status, raised.value.message) == (409, "Already sent")


async def test_a_refusal_the_app_cannot_act_on_is_the_gateway_unavailable() -> None:
    with pytest.raises(GatewayUnavailable, match="gateway answered 502"):
        await answered(_sent(answer(502, text="Bad gateway")), _refused)


async def test_no_answer_is_the_gateway_unavailable() -> None:
    with pytest.raises(GatewayUnavailable, match="ConnectError"):
        await answered(_not_sent(), _refused)
