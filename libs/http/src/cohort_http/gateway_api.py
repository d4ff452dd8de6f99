"""What a client of the gateway's API needs whatever it asks: answers read leniently, the
gateway's refusals (``{"error": {"code", "message", "details"}}``) as exceptions, and no answer
(or a failure behind the gateway) as ``GatewayUnavailable``."""

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx2
from pydantic import BaseModel, ConfigDict


class ApiModel(BaseModel):
    # The API may add fields; the pages read only what they know.
    model_config = ConfigDict(frozen=True, extra="ignore")


class GatewayError(Exception):
    """The gateway refused the request; ``message`` is written for people."""

    def __init__(self, status: int, code: str, message: str, details: Mapping[str, Any]) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.details = dict(details)


def read_error(response: httpx2.Response) -> tuple[str, str, dict[str, Any]]:
    """The ``code``, ``message`` and ``details`` of a refusal; ``unknown`` and blanks when its
    body is not the gateway's error shape (a proxy's page, say)."""
    try:
        error = response.json()["error"]
        return str(error["code"]), str(error["message"]), dict(error.get("details") or {})
    except (ValueError, KeyError, TypeError, AttributeError):
        return "unknown", "", {}


class GatewayUnavailable(Exception):
    """The gateway, or a service behind it, did not answer: the pages say to try again."""


#: An app's exception for a refusal it has a page or a form error for (by status, by the
#: error's details), or None: a refusal it cannot act on, taken as the gateway unavailable.
Refusal = Callable[[httpx2.Response], Exception | None]


def check_answer(response: httpx2.Response, refusal: Refusal) -> None:
    """Raises what ``refusal`` makes of a status of 400 or more, else ``GatewayUnavailable``."""
    if response.status_code >= 400:
        raise refusal(response) or GatewayUnavailable(f"gateway answered {response.status_code}")


async def answered(sent: Awaitable[httpx2.Response], refusal: Refusal) -> httpx2.Response:
    """The gateway's answer to a request ``sent``, if it is not a refusal (``check_answer``);
    no answer at all (connection refused, timed out) is ``GatewayUnavailable``."""
    try:
        response = await sent
    except httpx2.HTTPError as exc:
        raise GatewayUnavailable(type(exc).__name__) from exc
    check_answer(response, refusal)
    return response
