"""Message templates: built in, or an organisation's own, versioned.

Editing an organisation's template makes a new version; a campaign copies the text of the
version it used (and records which), so editing a template never changes a campaign."""

from dataclasses import dataclass, replace
from datetime import datetime

from cohort_contracts.vocabulary import CampaignType

from .errors import Conflict, InvalidMessage
from .rendering import check_placeholders

BUILTIN_PREFIX = "builtin:"


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    type: CampaignType
    body: str
    subject: str | None
    version: int = 1
    builtin: bool = False
    archived: bool = False
    org_id: str | None = None
    updated_by: str | None = None
    updated_at: datetime | None = None


def new_template(
    template_id: str,
    org_id: str,
    name: str,
    type: CampaignType,
    body: str,
    subject: str | None,
    *,
    actor: str,
    now: datetime,
) -> Template:
    if template_id.startswith(BUILTIN_PREFIX):
        raise InvalidMessage("That id is reserved for built-in templates.", field="template_id")
    check_placeholders(type, body, subject)
    return Template(template_id, name, type, body, subject, 1, False, False, org_id, actor, now)


def _editable(template: Template) -> None:
    if template.builtin:
        raise Conflict("Built-in templates cannot be changed. Create your own template from it.")
    if template.archived:
        raise Conflict("This template is archived, so it cannot be changed.")


def revise(
    template: Template,
    *,
    name: str | None,
    body: str | None,
    subject: str | None,
    actor: str,
    now: datetime,
) -> Template:
    """The next version; unset fields keep their current value."""
    _editable(template)
    revised = replace(
        template,
        name=name or template.name,
        body=body or template.body,
        subject=template.subject if subject is None else subject,
        version=template.version + 1,
        updated_by=actor,
        updated_at=now,
    )
    check_placeholders(revised.type, revised.body, revised.subject)
    return revised


def archived(template: Template, *, actor: str, now: datetime) -> Template:
    if template.builtin:
        raise Conflict("Built-in templates cannot be archived.")
    return replace(template, archived=True, updated_by=actor, updated_at=now)


def check_usable(template: Template, campaign_type: CampaignType) -> None:
    if template.archived:
        raise InvalidMessage("This template is archived; choose another.", field="template_id")
    if template.type != campaign_type:
        raise InvalidMessage(
            f"This is a {template.type} template; the campaign is {campaign_type}.",
            field="template_id",
        )
