"""The development users file: who can be chosen at development sign-in.

``{"users": [{"id", "name", "role", "org", "mobile", "email"}]}``: practice users of two
practices and a network user (see ``config/dev-users.json``). ``mobile`` and ``email`` are the
user's own, offered for "Send a test to me"."""

import json
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

OdsCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{3,10}$")]


class DevUser(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9._-]{1,64}$")]
    name: Annotated[str, Field(min_length=1, max_length=100)]
    role: Annotated[str, Field(min_length=1, max_length=100)]
    org: OdsCode
    #: Shown on the sign-in page only; once signed in, names come from the gateway.
    org_name: str | None = None
    mobile: str | None = None
    email: str | None = None


class DevUsers(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    users: list[DevUser]

    def get(self, user_id: str) -> DevUser | None:
        return next((u for u in self.users if u.id == user_id), None)

    def name(self, user_id: str) -> str:
        """A person's name for the audit trail; other actors (services) by their id."""
        user = self.get(user_id)
        return user.name if user is not None else user_id


def load_users(path: Path) -> DevUsers:
    """Raises ``ValueError`` naming the problem: the app refuses to start with a bad file."""
    try:
        return DevUsers.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise ValueError(f"{path} is not a valid users file: {exc}") from None
