"""What a client of the gateway's API needs whatever it asks: answers read leniently, and the
gateway's refusals (``{"error": {"code", "message", "details"}}``) as exceptions."""

from collections.abc import Mapping
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
