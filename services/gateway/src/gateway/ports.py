"""What the gateway needs from the outside: campaign (request/reply) and a message publisher."""

from dataclasses import dataclass
from typing import Protocol, TypeVar
from uuid import UUID

from cohort_contracts.campaign_requests import ErrorCode
from cohort_contracts.envelope import Message, Model
from cohort_contracts.routing import Route
from cohort_contracts.sending import FiretextReceipt

from .domain.caller import Caller

M = TypeVar("M", bound=Model)

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
    """Campaign's request/reply API. Every request carries the caller's ``org_id``,
    ``org_scope`` and ``actor``."""

    async def request(self, request: Message) -> Model:
        """The result of ``request``, of the type ``REPLY_TYPES`` names for it; raises
        ``CampaignError`` or ``CampaignUnavailable``."""
        ...


def expect(result: Model, kind: type[M]) -> M:
    """``result`` as the view a handler reads fields of (``REPLY_TYPES`` decided its type)."""
    if not isinstance(result, kind):
        raise CampaignUnavailable(f"campaign answered with {type(result).__name__}, not {kind}")
    return result


@dataclass(frozen=True)
class EncodedMessage:
    """A message serialised ahead of publishing: ``body`` is exactly what its contract model's
    ``model_dump_json()`` would give (``handlers.row_batches`` builds upload batches this way)."""

    message_id: UUID
    correlation_id: UUID
    body: bytes


class ReceiptBatcher(Protocol):
    """Receipts submitted together are published together (``cohort_platform.group_commit``);
    ``submit`` returns once the batch holding this one is confirmed, raises ``PublishFailed``
    with the batch, or ``Overloaded`` at once when too many wait."""

    async def submit(self, key: str, item: FiretextReceipt) -> None: ...


class Publisher(Protocol):
    """Publishes commands and waits for the broker's confirm; raises ``PublishFailed``."""

    async def publish(self, route: Route, message: Message) -> None: ...

    async def publish_encoded(self, route: Route, message: EncodedMessage) -> None: ...


class TokenVerifier(Protocol):
    """Turns a bearer token into the caller it names; raises ``domain.identity.TokenRefused`` (401)
    or ``adapters.oidc_keys.KeysUnavailable`` (503)."""

    async def verify(self, token: str) -> Caller: ...
