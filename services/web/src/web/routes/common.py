"""What every route needs: the signed-in user and their gateway client, forms with CSRF, and
rendering (a whole page, or one block of it for htmx)."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar, cast
from urllib.parse import quote
from uuid import UUID

import httpx2
from fastapi import Depends, Request
from fastapi.responses import Response, StreamingResponse
from jinja2_fragments.starlette import Jinja2Blocks

from cohort_http.page_apps import Elsewhere
from cohort_http.session_forms import make_form, posted_form, see_other

from .. import session
from ..api_client import Download, GatewayClient, GatewayError, Invalid
from ..api_views import Campaign, Review
from ..config import WebSettings
from ..forms import ActionForm, CohortForm, ConfirmCountForm
from ..users import DevUsers

T = TypeVar("T")
C = TypeVar("C", bound=ConfirmCountForm)


class NotSignedIn(Exception):
    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


@dataclass(frozen=True)
class Page:
    """One request of a signed-in user."""

    request: Request
    user: session.SignedIn
    api: GatewayClient


def settings_of(request: Request) -> WebSettings:
    return cast(WebSettings, request.app.state.settings)


def templates_of(request: Request) -> Jinja2Blocks:
    return cast(Jinja2Blocks, request.app.state.templates)


def users_of(request: Request) -> DevUsers:
    return cast(DevUsers, request.app.state.users)


def http_of(request: Request) -> httpx2.AsyncClient:
    return cast(httpx2.AsyncClient, request.app.state.http)


def signed_in_user(request: Request) -> session.SignedIn | None:
    return session.current(request.session, settings_of(request).session_max_age_s)


async def current_page(request: Request) -> Page:
    user = signed_in_user(request)
    if user is None:
        raise NotSignedIn(request.url.path)
    return Page(request, user, GatewayClient(http_of(request), user.token, user.act_for))


PageDep = Annotated[Page, Depends(current_page)]


async def campaign_in(page: Page, campaign_id: UUID, status: str) -> Campaign:
    """The campaign, for a page of one step of it (taken while it is ``status``); once it has
    moved on (or an old bookmark), the page goes to the campaign's own page instead."""
    campaign = await page.api.campaign(campaign_id)
    if campaign.status != status:
        raise Elsewhere(campaign_url(campaign_id))
    return campaign


def passed_on(download: Download) -> StreamingResponse:
    """A file from the gateway (a CSV), streamed on to the browser under the gateway's name."""
    return StreamingResponse(
        download.chunks(),
        media_type=download.content_type,
        headers={"Content-Disposition": download.disposition},
    )


async def check_action(request: Request) -> None:
    """A button-only form (cancel, resume, archive, sign out): its CSRF token must be good."""
    await posted_form(request, ActionForm)


async def button_action(
    request: Request, action: Callable[[], Awaitable[object]], then: str
) -> Response:
    """A button-only form's POST: check its CSRF token, ask the gateway, then go to ``then``."""
    await check_action(request)
    await action()
    return see_other(then)


async def submit(
    form: CohortForm,
    call: Callable[[], Awaitable[T]],
    field_for: Callable[[list[str]], str],
    *,
    refused: tuple[type[GatewayError], ...] = (Invalid,),
) -> T | None:
    """A valid form sent to the gateway: the gateway's answer, or None when the form has errors
    or the gateway refuses it (as invalid, or with any of the page's ``refused``): its message
    then goes on the field ``field_for`` names from the fields the gateway blames, where the
    user acts on it."""
    if form.field_errors():
        return None
    try:
        return await call()
    except refused as exc:
        form.add_error(field_for(exc.fields), exc.message)
        return None


async def posted_count(
    request: Request, page: Page, campaign_id: UUID, kind: type[C]
) -> tuple[Campaign, Review, C]:
    """A posted form that confirms the number of patients (send, approve): the campaign, its
    review as it is now, and the form checked against that review's count (not the one the
    page showed: a count that changed since must be confirmed again)."""
    campaign = await page.api.campaign(campaign_id)
    review = await page.api.review(campaign_id)
    return campaign, review, await posted_form(request, kind, expected=review.recipient_count)


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    status_code: int = 200,
    *,
    block: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """``block``: render only that block (an htmx swap), when the request is htmx's."""
    values = {**layout_context(request), **context}
    forms = [v for v in context.values() if isinstance(v, CohortForm)]
    values.setdefault("has_errors", any(f.field_errors() for f in forms))
    if block is not None and request.headers.get("HX-Request") == "true":
        return templates_of(request).TemplateResponse(
            request, name, values, status_code, headers=headers, block_name=block
        )
    return templates_of(request).TemplateResponse(
        request, name, values, status_code, headers=headers
    )


def render_campaign(
    request: Request,
    name: str,
    campaign: Campaign,
    context: dict[str, Any],
    status_code: int = 200,
    *,
    block: str | None = None,
) -> Response:
    """A page about one campaign: under the Campaigns tab (``nav``), with the ``campaign`` and
    its address (``base``), which the page's links start from."""
    about = {"nav": "campaigns", "campaign": campaign, "base": campaign_url(campaign.id)}
    return render(request, name, about | context, status_code, block=block)


def layout_context(request: Request) -> dict[str, Any]:
    """The header: who is signed in, the organisation acted for, the practice switcher."""
    user = signed_in_user(request)
    context: dict[str, Any] = {"user": user, "header_form": make_form(request, ActionForm)}
    if user is None:
        return context
    profile = request.session.get("profile") or {}
    practices = [tuple(p) for p in profile.get("practices", [])]
    names = dict(practices)
    org_name = profile.get("org_name") or user.org
    acting = user.act_for
    context |= {
        "is_network": bool(profile.get("is_network")),
        "practices": practices,
        "org_name": org_name,
        "acting_name": names.get(acting, acting) if acting else org_name,
        "acting_descriptor": acting if acting else user.org,
        "may_send": may_send(request),
    }
    return context


def may_send(request: Request) -> bool:
    """Whether the signed-in user has the sender role (read at sign-in)."""
    return bool((request.session.get("profile") or {}).get("may_send", False))


def sign_in_url(next_path: str | None = None) -> str:
    if next_path and next_path.startswith("/") and not next_path.startswith("//"):
        return f"/sign-in?next={quote(next_path, safe='/')}"
    return "/sign-in"


def campaign_url(campaign_id: UUID, rest: str = "") -> str:
    return f"/campaigns/{campaign_id}{rest}"
