"""Write the message: free text, or a template added from the dropdown."""

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cohort_http.session_forms import make_form, posted_form, see_other

from ..api_client import Conflict, Invalid
from ..api_views import Campaign, Template
from ..forms import ComposeForm, choices
from .common import Page, PageDep, campaign_url, render_campaign, submit

router = APIRouter()


@router.get("/campaigns/{campaign_id}/message")
async def compose_page(request: Request, campaign_id: UUID, page: PageDep) -> Response:
    campaign = await page.api.campaign(campaign_id)
    if campaign.status != "draft":
        return see_other(campaign_url(campaign_id))
    message = campaign.message
    form = make_form(
        request,
        ComposeForm,
        body=message.body if message else "",
        subject=message.subject if message else "",
        template=campaign.template_id or "",
    )
    return await _page(request, page, campaign, form)


@router.post("/campaigns/{campaign_id}/message/template")
async def add_template(request: Request, campaign_id: UUID, page: PageDep) -> Response:
    """Add template: the chosen template's text goes into the message box, not yet saved."""
    campaign = await page.api.campaign(campaign_id)
    form = await posted_form(request, ComposeForm)
    templates, chosen = await _templates(page, campaign, form)
    # Only the choice was sent: the message box's errors are not the user's.
    form.body.errors, form.subject.errors = [], []
    if chosen is None:
        form.add_error("template", "Select a template to add")
        return await _page(request, page, campaign, form, templates, 400)
    form.body.data = chosen.body
    form.subject.data = chosen.subject or ""
    return await _page(request, page, campaign, form, templates, added=chosen)


@router.post("/campaigns/{campaign_id}/message")
async def compose(request: Request, campaign_id: UUID, page: PageDep) -> Response:
    campaign = await page.api.campaign(campaign_id)
    form = await posted_form(request, ComposeForm)
    templates, chosen = await _templates(page, campaign, form)
    saved = await submit(
        form,
        lambda: _save(page, campaign, form, chosen),
        lambda fields: "subject" if "subject" in fields else "body",
        refused=(Invalid, Conflict),
    )
    if saved is not None:
        return see_other(campaign_url(campaign_id, "/review"))
    return await _page(request, page, campaign, form, templates, 400)


async def _templates(
    page: Page, campaign: Campaign, form: ComposeForm
) -> tuple[list[Template], Template | None]:
    """The templates for the campaign's type, and the one the form names (None: none, or not
    one of them)."""
    templates = await page.api.templates(campaign.type)
    return templates, next((t for t in templates if t.id == form.template.data), None)


async def _save(
    page: Page, campaign: Campaign, form: ComposeForm, chosen: Template | None
) -> Campaign:
    # Browsers send a new line as CRLF; a text message has LF, and is counted with it.
    body = str(form.body.data).replace("\r\n", "\n")
    subject = str(form.subject.data or "").strip() or None
    if chosen is not None and chosen.body == body and (chosen.subject or None) == subject:
        # Unchanged from the template: record which template (and version) it came from.
        return await page.api.set_message(campaign.id, template_id=chosen.id)
    return await page.api.set_message(campaign.id, body=body, subject=subject)


async def _page(
    request: Request,
    page: Page,
    campaign: Campaign,
    form: ComposeForm,
    templates: list[Template] | None = None,
    status: int = 200,
    added: Template | None = None,
) -> Response:
    if templates is None:
        templates = await page.api.templates(campaign.type)
    form.template.choices = choices(
        [("", "Choose a template")]
        + [(t.id, f"{t.name} (built-in)" if t.builtin else t.name) for t in templates]
    )
    lists = (await page.api.patient_lists(campaign.id)).items
    context = {
        "form": form,
        "has_email": any(p.channel == "email" for p in lists),
        "has_sms": any(p.channel == "sms" for p in lists) or not lists,
        "added": added,
    }
    return render_campaign(request, "compose/compose.html", campaign, context, status)
