"""The organisation's templates: create, edit (a new version), archive."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cohort_http.session_forms import make_form, posted_form, see_other

from ..api_client import NotFound
from ..api_views import Template
from ..forms import ActionForm, TemplateForm
from .common import Page, PageDep, button_action, render, submit

router = APIRouter()


@router.get("/templates")
async def templates_page(request: Request, page: PageDep) -> Response:
    everything = await page.api.templates()
    context = {
        "nav": "templates",
        "own": [t for t in everything if not t.builtin],
        "builtin": [t for t in everything if t.builtin],
        "done": request.query_params.get("done", ""),
    }
    return render(request, "templates/list.html", context)


@router.get("/templates/new")
async def new_template_page(request: Request, page: PageDep) -> Response:
    return _edit_page(request, make_form(request, TemplateForm))


@router.post("/templates/new")
async def create_template(request: Request, page: PageDep) -> Response:
    form = await posted_form(request, TemplateForm)
    body = {"name": form.name.data, "type": form.type.data, "body": form.body.data}
    if form.subject.data:
        body["subject"] = form.subject.data
    if await submit(form, lambda: page.api.create_template(body), _field) is not None:
        return see_other("/templates?done=created")
    return _edit_page(request, form, status=400)


async def _own_template(page: Page, template_id: str) -> Template:
    template = next((t for t in await page.api.templates() if t.id == template_id), None)
    if template is None or template.builtin:
        raise NotFound(404, "not_found", "No such template.", {})
    return template


@router.get("/templates/{template_id}/edit")
async def edit_template_page(request: Request, template_id: str, page: PageDep) -> Response:
    template = await _own_template(page, template_id)
    form = make_form(
        request,
        TemplateForm,
        name=template.name,
        type=template.type,
        subject=template.subject or "",
        body=template.body,
    )
    return _edit_page(request, form, template)


@router.post("/templates/{template_id}/edit")
async def edit_template(request: Request, template_id: str, page: PageDep) -> Response:
    template = await _own_template(page, template_id)
    form = await posted_form(request, TemplateForm)
    # A template's type is fixed: campaigns of that type use it.
    form.type.errors = []
    form.type.data = template.type
    body = {"name": form.name.data, "body": form.body.data, "subject": form.subject.data or ""}
    if await submit(form, lambda: page.api.update_template(template_id, body), _field) is not None:
        return see_other("/templates?done=updated")
    return _edit_page(request, form, template, status=400)


@router.get("/templates/{template_id}/archive")
async def archive_page(request: Request, template_id: str, page: PageDep) -> Response:
    template = await _own_template(page, template_id)
    context = {"nav": "templates", "template": template, "form": make_form(request, ActionForm)}
    return render(request, "templates/archive.html", context)


@router.post("/templates/{template_id}/archive")
async def archive(request: Request, template_id: str, page: PageDep) -> Response:
    return await button_action(
        request, lambda: page.api.archive_template(template_id), "/templates?done=archived"
    )


def _edit_page(
    request: Request, form: TemplateForm, template: Template | None = None, *, status: int = 200
) -> Response:
    """The form to create a template, or (``template``) to edit one of the organisation's own."""
    context = {"nav": "templates", "form": form, "template": template}
    return render(request, "templates/edit.html", context, status)


def _field(names: list[str]) -> str:
    return next((n for n in names if n in ("name", "subject", "body")), "body")
