"""Manage campaigns (the overview), a new campaign, the campaign page and its actions."""

import logging
from collections import ChainMap
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse

from cohort_http.gateway_api import GatewayUnavailable
from cohort_http.session_forms import make_form, posted_form, see_other

from ..api_views import SendAgain
from ..forms import ActionForm, NewCampaignForm
from ..pages import campaigns as pages
from ..pages.audit import Names, audit_lines
from ..pages.lists import removable
from ..pages.people import PersonNames
from .common import (
    Page,
    PageDep,
    button_action,
    campaign_url,
    passed_on,
    render,
    render_campaign,
    submit,
    users_of,
)

log = logging.getLogger("web.campaigns")
router = APIRouter()

StatusQuery = Annotated[str | None, Query(pattern=r"^[a-z_]{0,20}$")]
PageQuery = Annotated[int, Query(ge=1, le=100_000)]


@router.get("/")
async def home() -> Response:
    return see_other("/campaigns")


@router.get("/campaigns")
async def overview(
    request: Request, page: PageDep, status: StatusQuery = None, p: PageQuery = 1
) -> Response:
    found = await page.api.campaigns(status or None, p, pages.PAGE_SIZE)
    context = {
        "nav": "campaigns",
        "campaigns": found,
        "status": status or "",
        "pages": pages.page_count(found.total, found.page_size),
        # A network's overview may show several practices' campaigns: their names together.
        "names": PersonNames(users_of(request), ChainMap(*(c.people for c in found.items))),
        "all_practices": page.user.act_for is None and _is_network(request),
        "live": any(c.status in ("sending", "paused") for c in found.items),
    }
    return render(request, "campaigns/overview.html", context, block="campaigns")


def _is_network(request: Request) -> bool:
    return bool((request.session.get("profile") or {}).get("is_network"))


@router.get("/campaigns/new")
async def new_campaign_page(request: Request, page: PageDep) -> Response:
    context = {"nav": "campaigns", "form": make_form(request, NewCampaignForm)}
    return render(request, "campaigns/new.html", context)


@router.post("/campaigns/new")
async def create_campaign(request: Request, page: PageDep) -> Response:
    form = await posted_form(request, NewCampaignForm)
    if not form.field_errors() and _is_network(request) and page.user.act_for is None:
        form.add_error("name", "Choose the practice this campaign is for, in the header")
    created = await submit(
        form, lambda: page.api.create_campaign(form.api_body()), lambda f: _field(f, form)
    )
    if created is not None:
        return see_other(campaign_url(created.id, "/upload"))
    return render(request, "campaigns/new.html", {"nav": "campaigns", "form": form}, 400)


def _field(names: list[str], form: NewCampaignForm) -> str:
    mapping = {"booking": "appointment_type", "questionnaire": "questionnaire"}
    for name in names:
        name = mapping.get(name, name)
        if name in form:
            return name
    return "name"


@router.get("/campaigns/{campaign_id}")
async def campaign_page(
    request: Request,
    campaign_id: UUID,
    page: PageDep,
    status: StatusQuery = None,
    p: PageQuery = 1,
) -> Response:
    block = request.query_params.get("block")
    campaign = await page.api.campaign(campaign_id)
    lists = (await page.api.patient_lists(campaign_id)).items
    patients = await page.api.recipients(campaign_id, status or None, p, pages.PATIENTS_PAGE_SIZE)
    # Only a completed campaign can be sent again, so no other asks the gateway; nor does the
    # patient list's own refresh, which does not show it.
    send_again = None
    if campaign.status == "completed" and block != "patients":
        send_again = await _send_again(page, campaign_id)
    context = {
        "lists": lists,
        "removable_list": removable(campaign, lists),
        "steps": pages.steps(campaign, lists),
        "counts": pages.count_rows(campaign.counts),
        "settled": pages.settled(campaign.counts),
        "handed_over": pages.handed_over(campaign.counts),
        "can_cancel": pages.can_cancel(campaign),
        "not_started": pages.not_started(campaign),
        "type_text": pages.describe_type(campaign),
        "patients": patients,
        "status": status or "",
        "patient_pages": pages.page_count(patients.total, patients.page_size),
        "names": PersonNames(users_of(request), campaign.people),
        "user_id": page.user.user_id,
        "action_form": make_form(request, ActionForm),
        "send_again": send_again,
    }
    return render_campaign(
        request,
        "campaigns/campaign.html",
        campaign,
        context,
        block=block if block in ("patients", "actions") else None,
    )


async def _send_again(page: Page, campaign_id: UUID) -> SendAgain | None:
    """Who sending again would take, if anyone. A gateway that cannot say just now leaves the
    section out rather than the whole page: it is an extra, not what the page is for."""
    try:
        summary = await page.api.send_again_summary(campaign_id)
    except GatewayUnavailable as exc:
        log.warning("send-again summary unavailable", extra={"error": str(exc)})
        return None
    return summary if pages.can_send_again(summary) else None


@router.get("/campaigns/{campaign_id}/events")
async def campaign_events(request: Request, campaign_id: UUID, page: PageDep) -> Response:
    """The gateway's live progress stream, passed through for the browser's EventSource (which
    cannot send a bearer token). ``Last-Event-ID`` goes on to the gateway."""
    download = await page.api.events(campaign_id, event_id(request.headers.get("last-event-id")))
    return StreamingResponse(
        download.chunks(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def event_id(header: str | None) -> str | None:
    """The browser's ``Last-Event-ID``, when it can be one of the gateway's event ids (printable
    ASCII, 100 characters at most, as the gateway takes them); anything else is left out, and
    the stream starts from the campaign as it is now, as on a first connection."""
    if header and len(header) <= 100 and header.isascii() and header.isprintable():
        return header
    return None


@router.get("/campaigns/{campaign_id}/cancel")
async def cancel_page(request: Request, campaign_id: UUID, page: PageDep) -> Response:
    campaign = await page.api.campaign(campaign_id)
    if not pages.can_cancel(campaign):
        return see_other(campaign_url(campaign_id))
    context = {
        "form": make_form(request, ActionForm),
        "not_started": pages.not_started(campaign),
    }
    return render_campaign(request, "campaigns/cancel.html", campaign, context)


@router.post("/campaigns/{campaign_id}/cancel")
async def cancel(request: Request, campaign_id: UUID, page: PageDep) -> Response:
    cancelled = campaign_url(campaign_id, "?cancelled=1")
    return await button_action(request, lambda: page.api.cancel(campaign_id), cancelled)


@router.post("/campaigns/{campaign_id}/resume")
async def resume(request: Request, campaign_id: UUID, page: PageDep) -> Response:
    resumed = campaign_url(campaign_id, "?resumed=1")
    return await button_action(request, lambda: page.api.resume(campaign_id), resumed)


@router.get("/campaigns/{campaign_id}/audit")
async def audit(request: Request, campaign_id: UUID, page: PageDep) -> Response:
    campaign = await page.api.campaign(campaign_id)
    log = await page.api.audit(campaign_id)
    lists = await page.api.patient_lists(campaign_id)
    used = any(e.action == "message_composed" and "template_id" in e.details for e in log.entries)
    templates = await page.api.templates(include_archived=True) if used else []
    names = Names(
        person=PersonNames(users_of(request), log.people).name,
        files={str(x.id): x.filename for x in lists.items},
        templates={t.id: t.name for t in templates},
    )
    context = {"lines": audit_lines(log.entries, names)}
    return render_campaign(request, "campaigns/audit.html", campaign, context)


@router.get("/campaigns/{campaign_id}/recipients.csv")
async def recipients_csv(campaign_id: UUID, page: PageDep, status: StatusQuery = None) -> Response:
    return passed_on(await page.api.recipients_csv(campaign_id, status or None))
