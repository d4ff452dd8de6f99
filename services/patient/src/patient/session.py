"""What the patient's browser holds: Starlette's signed session cookie (itsdangerous; HttpOnly,
SameSite=Strict, Secure in production, short-lived). Per link (named by a hash of its token, so
the token itself is not in the cookie): the session the gateway returned for the confirmed date
of birth, the patient's first name, and the answers given so far to the questionnaire. Nothing
else; the appointment itself is always read from the gateway."""

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

from cohort_http.page_apps import from_session

MAX_LINKS = 3


def _key(token: str) -> str:
    return "l:" + hashlib.sha256(token.encode()).hexdigest()[:16]


@dataclass
class LinkState:
    session: str
    until: float
    given_name: str
    answers: dict[str, list[str]] = field(default_factory=dict)


def get(store: dict[str, Any], token: str) -> LinkState | None:
    state = from_session(store, _key(token), _link_state)
    return state if state is not None and state.until > time.time() else None


def _link_state(raw: dict[str, Any]) -> LinkState:
    return LinkState(
        session=str(raw["s"]),
        until=float(raw["u"]),
        given_name=str(raw.get("n", "")),
        answers={str(k): [str(x) for x in v] for k, v in (raw.get("a") or {}).items()},
    )


def put(store: dict[str, Any], token: str, state: LinkState) -> None:
    links = [k for k in store if k.startswith("l:") and k != _key(token)]
    for old in links[: max(0, len(links) - MAX_LINKS + 1)]:
        del store[old]  # a few links at most: the cookie stays small
    store[_key(token)] = {
        "s": state.session,
        "u": state.until,
        "n": state.given_name,
        "a": state.answers,
    }


def forget(store: dict[str, Any], token: str) -> None:
    store.pop(_key(token), None)
