import httpx2
import pytest

from cohort_http.gateway_api import read_error


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
