"""Development sign-in (``WEB_DEV_SIGN_IN=1``), sign out, and a network user's practice."""

import math
import time
from dataclasses import replace
from typing import cast

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cohort_http.session_forms import make_form, see_other, validated
from cohort_http.token_buckets import TokenBuckets

from .. import session
from ..api_client import GatewayClient
from ..forms import PracticeForm, SignInForm, choices
from .common import PageDep, check_action, http_of, render, settings_of, users_of

router = APIRouter()


def _sign_in_form(request: Request, form: SignInForm | None = None) -> SignInForm:
    form = form or make_form(request, SignInForm)
    form.user.choices = choices([(u.id, u.name) for u in users_of(request).users])
    return form


def safe_next(path: str | None) -> str:
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return "/campaigns"


@router.get("/sign-in")
async def sign_in_page(request: Request, next: str | None = None) -> Response:
    if settings_of(request).oidc_issuer is not None:
        context = {
            "next": safe_next(next),
            "signed_out": request.query_params.get("signed-out") == "1",
            "expired": request.query_params.get("expired") == "1",
        }
        return render(request, "sign_in/oidc.html", context)
    if not settings_of(request).dev_sign_in:
        return render(request, "sign_in/unavailable.html", {}, 503)
    context = {
        "form": _sign_in_form(request),
        "users": users_of(request).users,
        "next": safe_next(next),
        "signed_out": request.query_params.get("signed-out") == "1",
        "expired": request.query_params.get("expired") == "1",
    }
    return render(request, "sign_in/sign_in.html", context)


def too_many_attempts(request: Request) -> Response | None:
    """A 429 page when this address has tried to sign in too often (per address, in memory)."""
    address = request.client.host if request.client else "unknown"
    wait_s = cast(TokenBuckets, request.app.state.sign_in_limiter).take(address)
    if not wait_s:
        return None
    response = render(request, "sign_in/too_many.html", {"wait_s": math.ceil(wait_s)}, 429)
    response.headers["Retry-After"] = str(math.ceil(wait_s))
    return response


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    settings = settings_of(request)
    if not settings.dev_sign_in:
        return render(request, "sign_in/unavailable.html", {}, 503)
    if (refused := too_many_attempts(request)) is not None:
        return refused
    form = validated(_sign_in_form(request, make_form(request, SignInForm, await request.form())))
    next_path = safe_next(str((await request.form()).get("next") or ""))
    if form.field_errors():
        context = {"form": form, "users": users_of(request).users, "next": next_path}
        return render(request, "sign_in/sign_in.html", context, 400)
    user = users_of(request).get(str(form.user.data))
    assert user is not None  # the form only accepts listed users
    token = session.dev_token(settings, user)
    signed_in = session.SignedIn(
        user_id=user.id,
        name=user.name,
        org=user.org,
        token=token,
        signed_in_at=time.time(),
        mobile=user.mobile,
        email=user.email,
    )
    await start_session(request, signed_in)
    return see_other(next_path)


async def start_session(request: Request, signed_in: session.SignedIn) -> None:
    """Ask the gateway who the token is (its organisation, a network's practices) and keep it
    in the session with the token."""
    me = await GatewayClient(http_of(request), signed_in.token).me()
    first_practice = me.practices[0].ods if me.is_network and me.practices else None
    session.start(
        request.session,
        replace(signed_in, org=me.organisation.ods, act_for=first_practice),
    )
    request.session["profile"] = {
        "org_name": me.organisation.name or me.organisation.ods,
        "is_network": me.is_network,
        "practices": [[p.ods, p.name or p.ods] for p in me.practices],
        # What the pages offer; the gateway refuses a viewer's changes whatever they offer.
        "may_send": "sender" in me.roles,
    }


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    await check_action(request)
    session.end(request.session)
    return see_other("/sign-in?signed-out=1")


@router.post("/practice")
async def switch_practice(request: Request, _page: PageDep) -> Response:
    practices = request.session.get("profile", {}).get("practices", [])
    form = make_form(request, PracticeForm, await request.form())
    form.practice.choices = choices([("", "All practices"), *[(p[0], p[1]) for p in practices]])
    if not validated(form).field_errors():
        session.act_for(request.session, form.practice.data or None)
    return see_other("/campaigns")
