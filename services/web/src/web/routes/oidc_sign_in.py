"""Signing in at the OpenID Connect provider (``WEB_OIDC_ISSUER``): off to its authorization
endpoint with PKCE, back with a code that authlib exchanges and checks; the ID token is the
bearer token the gateway is sent."""

import time
from typing import cast

from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import APIRouter, Request
from fastapi.responses import Response

from cohort_http.session_forms import see_other

from .. import session
from ..oidc import provider
from .common import render
from .sign_in import safe_next, start_session, too_many_attempts

router = APIRouter()
NEXT_KEY = "oidc_next"


def _oauth(request: Request) -> OAuth | None:
    return cast(OAuth | None, request.app.state.oauth)


@router.get("/sign-in/provider")
async def start(request: Request, next: str | None = None) -> Response:
    oauth = _oauth(request)
    if oauth is None:
        return render(request, "sign_in/unavailable.html", {}, 503)
    if (refused := too_many_attempts(request)) is not None:
        return refused
    request.session[NEXT_KEY] = safe_next(next)
    callback = str(request.url_for("oidc_callback"))
    return cast(Response, await provider(oauth).authorize_redirect(request, callback))


@router.get("/sign-in/callback", name="oidc_callback")
async def callback(request: Request) -> Response:
    oauth = _oauth(request)
    if oauth is None:
        return render(request, "sign_in/unavailable.html", {}, 503)
    try:
        token = await provider(oauth).authorize_access_token(request)  # type: ignore[no-untyped-call]
    except OAuthError:
        # A refused sign-in, a forged or replayed callback, or an ID token that did not check out.
        return render(request, "sign_in/failed.html", {}, 400)
    claims = token.get("userinfo") or {}
    id_token = token.get("id_token")
    if not isinstance(id_token, str) or not claims.get("sub"):
        return render(request, "sign_in/failed.html", {}, 400)
    next_path = safe_next(str(request.session.pop(NEXT_KEY, "") or ""))
    signed_in = session.SignedIn(
        user_id=str(claims["sub"]),
        name=str(claims.get("name") or claims["sub"]),
        org="",  # from the gateway's /v1/me, which reads the token's organisation claim
        token=id_token,
        signed_in_at=time.time(),
        email=str(claims["email"]) if claims.get("email") else None,
    )
    await start_session(request, signed_in)
    return see_other(next_path)
