"""Who is signed in: kept in the session cookie (signed by itsdangerous via Starlette's
``SessionMiddleware``: HttpOnly, SameSite=Lax, expiring). It holds the user's id and name, the
bearer token the gateway accepts, and the practice a network user acts for; nothing else."""

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from cohort_http.page_apps import from_session

from .config import WebSettings
from .users import DevUser

_KEY = "user"


@dataclass(frozen=True)
class SignedIn:
    user_id: str
    name: str
    org: str
    token: str
    signed_in_at: float
    #: A network user's chosen practice (its ODS code); None: all its practices.
    act_for: str | None = None
    mobile: str | None = None
    email: str | None = None

    def expired(self, max_age_s: int, now: float | None = None) -> bool:
        return (now if now is not None else time.time()) - self.signed_in_at > max_age_s


def dev_token(settings: WebSettings, user: DevUser) -> str:
    """A token of the shape the gateway accepts (see the gateway's
    ``adapters.token_verifiers.issue_token``), valid as long as the session."""
    issued = datetime.now(UTC)
    claims = {
        "sub": user.id,
        # As an OIDC provider's token names the person: what other staff read where they act.
        "name": user.name,
        "org": user.org,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": issued,
        "exp": issued + timedelta(seconds=settings.session_max_age_s),
    }
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")


def start(session: dict[str, Any], signed_in: SignedIn) -> None:
    session.clear()  # a fresh session (and CSRF secret) at every sign-in
    session[_KEY] = {
        "id": signed_in.user_id,
        "name": signed_in.name,
        "org": signed_in.org,
        "token": signed_in.token,
        "at": signed_in.signed_in_at,
        "act_for": signed_in.act_for,
        "mobile": signed_in.mobile,
        "email": signed_in.email,
    }


def current(session: dict[str, Any], max_age_s: int) -> SignedIn | None:
    signed_in = from_session(session, _KEY, _signed_in)
    return None if signed_in is None or signed_in.expired(max_age_s) else signed_in


def _signed_in(raw: dict[str, Any]) -> SignedIn:
    return SignedIn(
        user_id=str(raw["id"]),
        name=str(raw["name"]),
        org=str(raw["org"]),
        token=str(raw["token"]),
        signed_in_at=float(raw["at"]),
        act_for=raw.get("act_for"),
        mobile=raw.get("mobile"),
        email=raw.get("email"),
    )


def act_for(session: dict[str, Any], practice: str | None) -> None:
    if isinstance(session.get(_KEY), dict):
        session[_KEY] = {**session[_KEY], "act_for": practice}


def end(session: dict[str, Any]) -> None:
    session.clear()
