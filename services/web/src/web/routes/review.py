"""Review and send: real previews, counts and credit; a test to yourself; then Send."""

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cohort_http.session_forms import make_form, posted_form, see_other
from cohort_nhs import uk_mobile

from ..api_client import Conflict, Invalid
from ..api_views import Campaign, Review
from ..forms import SendForm, TestSendForm
from ..pages.review import blockers, short_of_credit
from ..pages.words import contact
from .common import Page, PageDep, campaign_in, campaign_url, posted_count, render_campaign, submit

router = APIRouter()


@router.get("/campaigns/{campaign_id}/review")
async def review_page(request: Request, campaign_id: UUID, page: PageDep) -> Response:
    campaign = await campaign_in(page, campaign_id, "draft")
    if campaign.message is None:
        return see_other(campaign_url(campaign_id, "/message"))
    review = await page.api.review(campaign_id)
    test_form = make_form(request, TestSendForm, to=_own_contact(page, review))
    send_form = make_form(request, SendForm, expected=review.recipient_count)
    tested = request.query_params.get("tested") == "1"
    return _page(request, campaign, review, test_form, send_form, tested=tested)


@router.post("/campaigns/{campaign_id}/test-send")
async def test_send(request: Request, campaign_id: UUID, page: PageDep) -> Response:
    campaign = await page.api.campaign(campaign_id)
    form = await posted_form(request, TestSendForm)
    to = str(form.to.data)
    tested = await submit(
        form,
        lambda: page.api.test_send(campaign_id, "email" if "@" in to else "sms", to),
        lambda _: "to",
        refused=(Invalid, Conflict),
    )
    if tested is not None:
        return see_other(campaign_url(campaign_id, "/review?tested=1"))
    review = await page.api.review(campaign_id)
    send_form = make_form(request, SendForm, expected=review.recipient_count)
    return _page(request, campaign, review, form, send_form, status=400)


@router.post("/campaigns/{campaign_id}/send")
async def send(request: Request, campaign_id: UUID, page: PageDep) -> Response:
    campaign, review, form = await posted_count(request, page, campaign_id, SendForm)
    problem: str | None = None
    if campaign.type != "booking":
        form.spread_hours.data = None  # only booking invitations are spread
    if not form.field_errors():
        try:
            sent = await page.api.send(
                campaign_id,
                form.confirm_count.data or 0,
                send_at=form.send_at_utc(),
                spread_hours=form.spread_hours.data,
            )
        except Invalid as exc:
            # A time in the past or too far ahead: said on the date, the first thing to change.
            field = "send_date" if "send_at" in exc.fields else "confirm_count"
            form.add_error(field, exc.message)
        except Conflict as exc:
            problem = exc.message
        else:
            outcome = {"scheduled": "scheduled", "awaiting_approval": "approval"}
            return see_other(campaign_url(campaign_id, f"?sent={outcome.get(sent.status, '1')}"))
    test_form = make_form(request, TestSendForm, to=_own_contact(page, review))
    return _page(request, campaign, review, test_form, form, status=400, problem=problem)


def _own_contact(page: Page, review: Review) -> str:
    if review.recipients_by_channel.get("sms", 0) == 0 and review.recipients_by_channel.get(
        "email", 0
    ):
        return page.user.email or ""
    mobile = page.user.mobile or ""
    # Shown as people write it (07700 900101), whatever form the sign-in gave it in.
    return contact(uk_mobile(mobile) or mobile)


def _page(
    request: Request,
    campaign: Campaign,
    review: Review,
    test_form: TestSendForm,
    send_form: SendForm,
    *,
    status: int = 200,
    tested: bool = False,
    problem: str | None = None,
) -> Response:
    base = campaign_url(campaign.id)
    context = {
        "review": review,
        "test_form": test_form,
        "send_form": send_form,
        "blockers": blockers(review, base),
        "short_of_credit": short_of_credit(review),
        "tested": tested,
        "left_out": request.query_params.get("left_out") == "1",
        "problem": problem,
        "has_errors": bool(problem or test_form.field_errors() or send_form.field_errors()),
    }
    return render_campaign(request, "review/review.html", campaign, context, status)
