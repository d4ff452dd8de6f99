"""Send safety pages: a second person's approval, and leaving out patients the review warns
were sent the same message lately."""

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cohort_http.session_forms import make_form, posted_form, see_other

from ..api_client import Conflict, Forbidden, Invalid
from ..api_views import Campaign, Review
from ..forms import ConfirmCountForm, SendBackForm
from ..pages.people import PersonNames
from .common import (
    PageDep,
    button_action,
    campaign_in,
    campaign_url,
    posted_count,
    render_campaign,
    submit,
    users_of,
)

router = APIRouter()


@router.post("/campaigns/{campaign_id}/review/leave-out")
async def leave_out(request: Request, campaign_id: UUID, page: PageDep) -> Response:
    left_out = campaign_url(campaign_id, "/review?left_out=1")
    return await button_action(
        request, lambda: page.api.leave_out_recently_messaged(campaign_id), left_out
    )


@router.get("/campaigns/{campaign_id}/approve")
async def approval_page(request: Request, campaign_id: UUID, page: PageDep) -> Response:
    campaign = await campaign_in(page, campaign_id, "awaiting_approval")
    review = await page.api.review(campaign_id)
    form = make_form(request, ConfirmCountForm, expected=review.recipient_count)
    return _page(request, page.user.user_id, campaign, review, form)


@router.post("/campaigns/{campaign_id}/approve")
async def approve(request: Request, campaign_id: UUID, page: PageDep) -> Response:
    campaign, review, form = await posted_count(request, page, campaign_id, ConfirmCountForm)
    problem: str | None = None
    if not form.field_errors():
        try:
            approved = await page.api.approve(campaign_id, form.confirm_count.data or 0)
        except (Conflict, Forbidden) as exc:
            problem = exc.message
        else:
            outcome = "scheduled" if approved.status == "scheduled" else "approved"
            return see_other(campaign_url(campaign_id, f"?sent={outcome}"))
    return _page(request, page.user.user_id, campaign, review, form, problem, status=400)


@router.get("/campaigns/{campaign_id}/send-back")
async def send_back_page(request: Request, campaign_id: UUID, page: PageDep) -> Response:
    campaign = await campaign_in(page, campaign_id, "awaiting_approval")
    form = make_form(request, SendBackForm)
    return _send_back_page(request, page.user.user_id, campaign, form)


@router.post("/campaigns/{campaign_id}/send-back")
async def send_back(request: Request, campaign_id: UUID, page: PageDep) -> Response:
    form = await posted_form(request, SendBackForm)
    # E.g. approved or sent back by someone else meanwhile, or a viewer who may not change
    # campaigns: said on the one field.
    sent_back = await submit(
        form,
        lambda: page.api.send_back(campaign_id, str(form.reason.data).strip()),
        lambda _: "reason",
        refused=(Conflict, Forbidden, Invalid),
    )
    if sent_back is not None:
        return see_other(campaign_url(campaign_id, "?sent_back=1"))
    campaign = await page.api.campaign(campaign_id)
    return _send_back_page(request, page.user.user_id, campaign, form, status=400)


def _send_back_page(
    request: Request, user_id: str, campaign: Campaign, form: SendBackForm, *, status: int = 200
) -> Response:
    context = {
        "form": form,
        "own": campaign.send_requested_by == user_id,
        "names": PersonNames(users_of(request), campaign.people),
    }
    return render_campaign(request, "review/send_back.html", campaign, context, status)


def _page(
    request: Request,
    user_id: str,
    campaign: Campaign,
    review: Review,
    form: ConfirmCountForm,
    problem: str | None = None,
    *,
    status: int = 200,
) -> Response:
    context = {
        "review": review,
        "form": form,
        "problem": problem,
        "own": campaign.send_requested_by == user_id,
        "names": PersonNames(users_of(request), campaign.people),
        "has_errors": bool(problem or form.field_errors()),
    }
    return render_campaign(request, "review/approve.html", campaign, context, status)
