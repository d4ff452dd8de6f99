"""The envelope every message that crosses a service boundary carries (DESIGN §3)."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID, uuid4

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

#: An organisation's ODS code, e.g. ``A81001`` for a practice or ``U12345`` for a network.
OdsCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{3,10}$")]


def _in_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


#: A moment: timezone-aware (a naive time is refused, since nobody could say which clock it was
#: read from), held in UTC and written as ISO 8601 with ``Z`` in every message and response.
UtcDateTime = Annotated[AwareDatetime, AfterValidator(_in_utc)]


#: The last page a listing may ask for: far past any campaign's rows, and small enough that the
#: rows before it, (page - 1) x page size, are a skip MongoDB can be sent (a 64-bit integer;
#: PyMongo cannot encode a larger one, so such a request failed at every delivery).
MAX_PAGE = 1_000_000_000


def utc_now() -> datetime:
    return datetime.now(UTC)


class Model(BaseModel):
    """Base for every value object inside a message: immutable; unknown fields are ignored so a
    newer producer can add an optional field without breaking an older consumer."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class Message(Model):
    """A command or event. ``message_id`` is the idempotency key of the message itself;
    ``correlation_id`` ties together everything caused by one user action."""

    message_id: UUID = Field(default_factory=uuid4)
    correlation_id: UUID
    org_id: OdsCode
    schema_version: int = 1
    occurred_at: UtcDateTime = Field(default_factory=utc_now)


class Request(Message):
    """A request made on someone's behalf (the gateway's requests to campaign: staff's,
    patients', opt-outs). ``org_id`` is the organisation acted for (writes happen there).
    ``org_scope`` is every organisation the actor may read: a practice user has just its own; a
    network user has its member practices. Empty means ``[org_id]``."""

    actor: str = Field(description="Who asked: the user id from the token, or a service name")
    actor_name: str | None = Field(
        default=None,
        max_length=200,
        description="The actor's name as their sign-in gives it (the token's `name` claim), "
        "so that staff read a name where the actor is shown; None when the token has none",
    )
    org_scope: list[OdsCode] = Field(default_factory=list)

    @property
    def readable_orgs(self) -> list[str]:
        return self.org_scope or [self.org_id]
