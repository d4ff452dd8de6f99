"""Who a user id is, as the pages name people: the name the gateway's view gives (from that
person's sign-in), else the development users file's, else the id itself."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..users import DevUsers


@dataclass(frozen=True)
class PersonNames:
    users: DevUsers
    #: From the views being shown (``people``): user id -> name.
    people: Mapping[str, str] = field(default_factory=dict)

    def name(self, user_id: str) -> str:
        return self.people.get(user_id) or self.users.name(user_id)
