"""What the gateway needs from the outside: campaign (request/reply) and a message publisher."""

from typing import Protocol, TypeVar

from pydantic import BaseModel

from cohort_contracts.campaign_requests import ErrorCode
from cohort_contracts.envelope import Message
from cohort_contracts.routing import Route

T = TypeVar("T", bound=BaseModel)

ErrorDetails = dict[str, str | int | list[str]]


class CampaignError(Exception):
    """Campaign answered with an error (``not_found``, ``conflict``, ``invalid``, ...)."""

    def __init__(self, code: ErrorCode, message: str, details: ErrorDetails | None = None):
        super().__init__(code)
        self.code: ErrorCode = code
        self.message = message
        self.details: ErrorDetails = details or {}


class CampaignUnavailable(Exception):
    """Campaign could not be asked or did not answer in time."""


class PublishFailed(Exception):
    """The broker did not confirm a message."""


class CampaignClient(Protocol):
    """Campaign's request/reply API. Every request carries the caller's ``org_id`` and ``actor``."""

    async def request(self, request: Message, result_type: type[T]) -> T:
        """The result of ``request``; raises ``CampaignError`` or ``CampaignUnavailable``."""
        ...


class Publisher(Protocol):
    """Publishes commands and waits for the broker's confirm; raises ``PublishFailed``."""

    async def publish(self, route: Route, message: Message) -> None: ...
