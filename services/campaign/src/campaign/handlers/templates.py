"""Templates: the built-in ones and each organisation's own (create, edit → new version,
archive). Organisations read their own and, for a network user, their member practices'."""

from collections.abc import Sequence
from datetime import UTC, datetime

from cohort_contracts.campaign_requests import (
    ArchiveTemplate,
    CreateTemplate,
    ListTemplates,
    UpdateTemplate,
)
from cohort_contracts.campaign_views import TemplateList, TemplateView
from cohort_contracts.vocabulary import CampaignType

from ..domain.builtin_templates import BUILTIN_BY_ID, BUILTIN_TEMPLATES
from ..domain.errors import Conflict, NotFound
from ..domain.templates import Template, archived, check_usable, new_template, revise
from .deps import Deps
from .views import template_view


async def find_template(deps: Deps, orgs: Sequence[str], template_id: str) -> Template:
    template = BUILTIN_BY_ID.get(template_id) or await deps.templates.get_in(orgs, template_id)
    if template is None:
        raise NotFound("Template not found.", field="template_id")
    return template


async def template_for_message(
    deps: Deps, orgs: Sequence[str], template_id: str, campaign_type: CampaignType
) -> Template:
    """The current version of a template a campaign may use."""
    template = await find_template(deps, orgs, template_id)
    check_usable(template, campaign_type)
    return template


async def list_templates(req: ListTemplates, deps: Deps) -> TemplateList:
    builtins = [t for t in BUILTIN_TEMPLATES if req.type in (None, t.type)]
    own = await deps.templates.list_in(req.readable_orgs, req.type, req.include_archived)
    return TemplateList(items=[template_view(t) for t in (*builtins, *own)])


async def create_template(req: CreateTemplate, deps: Deps) -> TemplateView:
    template = new_template(
        # Named by the request, so a redelivered request creates nothing more.
        str(req.message_id),
        req.org_id,
        req.name,
        req.type,
        req.body,
        req.subject,
        actor=req.actor,
        now=datetime.now(UTC),
    )
    if not await deps.templates.add(template):
        template = await find_template(deps, [req.org_id], template.id)
    return template_view(template)


async def update_template(req: UpdateTemplate, deps: Deps) -> TemplateView:
    current = await find_template(deps, req.readable_orgs, req.template_id)
    revised = revise(
        current,
        name=req.name,
        body=req.body,
        subject=req.subject,
        actor=req.actor,
        now=datetime.now(UTC),
    )
    stored = await deps.templates.add_version(revised, req.message_id)
    if stored is None:
        raise Conflict("Someone else changed this template just now. Reload it and try again.")
    return template_view(stored)


async def archive_template(req: ArchiveTemplate, deps: Deps) -> TemplateView:
    current = await find_template(deps, req.readable_orgs, req.template_id)
    if current.archived:
        return template_view(current)
    template = archived(current, actor=req.actor, now=datetime.now(UTC))
    await deps.templates.archive(template)
    return template_view(template)
