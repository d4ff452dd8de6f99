"""Send a completed campaign again to the patients it did not reach: a page that says what
will happen and names the new campaign, which the gateway makes as a draft to review and send."""

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cohort_http.session_forms import make_form, posted_form, see_other

from ..api_client import Conflict, Invalid
from ..api_views import Campaign, SendAgain
from ..forms import SendAgainForm
from ..pages import campaigns as pages
from .common import PageDep, campaign_in, campaign_url, render_campaign, submit

router = APIRouter()


@router.get("/campaigns/{campaign_id}/send-again")
async def send_again_page(request: Request, campaign_id: UUID, page: PageDep) -> Response:
    campaign = await campaign_in(page, campaign_id, "completed")
    summary = await page.api.send_again_summary(campaign_id)
    if not pages.can_send_again(summary):
        # Nobody left to send again to (or campaign says it cannot): the campaign page says
        # no more about it, so neither does this one.
        return see_other(campaign_url(campaign_id))
    form = make_form(request, SendAgainForm, name=pages.send_again_name(campaign.name))
    return _page(request, campaign, summary, form)


@router.post("/campaigns/{campaign_id}/send-again")
async def send_again(request: Request, campaign_id: UUID, page: PageDep) -> Response:
    form = await posted_form(request, SendAgainForm)
    # Campaign's reason (e.g. everyone has been sent it again already) goes on the form's one
    # field.
    created = await submit(
        form,
        lambda: page.api.send_again(campaign_id, str(form.name.data)),
        lambda _: "name",
        refused=(Invalid, Conflict),
    )
    if created is not None:
        return see_other(campaign_url(created.id, "?created=send-again"))
    campaign = await page.api.campaign(campaign_id)
    summary = await page.api.send_again_summary(campaign_id)
    return _page(request, campaign, summary, form, status=400)


def _page(
    request: Request,
    campaign: Campaign,
    summary: SendAgain,
    form: SendAgainForm,
    *,
    status: int = 200,
) -> Response:
    context = {"summary": summary, "form": form}
    return render_campaign(request, "campaigns/send_again.html", campaign, context, status)
