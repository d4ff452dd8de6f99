"""``/v1/templates``: the built-in templates and the organisation's own, versioned."""

from typing import Annotated, Self

from fastapi import Query, Response
from pydantic import ConfigDict, Field, model_validator

from cohort_contracts.campaign_requests import (
    ArchiveTemplate,
    CreateTemplate,
    ListTemplates,
    UpdateTemplate,
)
from cohort_contracts.campaign_views import TemplateList, TemplateView
from cohort_contracts.envelope import Model
from cohort_contracts.vocabulary import CampaignType

from .errors import error_responses
from .models import Body, MessageText, Name, Subject, TemplatePath
from .staff_campaign import ActingCampaignDep, CampaignDep, staff_router

router = staff_router(prefix="/v1/templates", tag="templates")


class NewTemplate(Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "Flu", "type": "basic", "body": "Hello"}]}
    )

    name: Name
    type: CampaignType = Field(description="The campaign type the template is written for")
    body: MessageText = Field(description="Text with placeholders such as ((first_name))")
    subject: Subject | None = Field(default=None, description="Email subject")


class TemplateChange(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "Renamed"}],
            # What ``_changes_something`` checks, said in the document too.
            "anyOf": [
                {"required": [name], "properties": {name: {"type": "string"}}}
                for name in ("name", "body", "subject")
            ],
        }
    )

    name: Name | None = None
    body: MessageText | None = None
    subject: Subject | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> Self:
        if self.name is None and self.body is None and self.subject is None:
            raise ValueError("give at least one of name, body and subject")
        return self


@router.get(
    "",
    response_model=TemplateList,
    summary="Built-in templates and the organisation's own (a network: all its practices')",
)
async def list_templates(
    campaign: CampaignDep,
    type: CampaignType | None = None,
    include_archived: Annotated[bool, Query(description="Also archived templates")] = False,
) -> Model:
    request = ListTemplates(**campaign.envelope(), type=type, include_archived=include_archived)
    return await campaign.ask(request)


@router.post(
    "",
    status_code=201,
    response_model=TemplateView,
    summary="Create an organisation template",
    description="Network users name the practice it is for in `X-Act-For-Org`.",
)
async def create_template(
    body: NewTemplate, campaign: ActingCampaignDep, response: Response
) -> Model:
    request = CreateTemplate(
        **campaign.envelope(), name=body.name, type=body.type, body=body.body, subject=body.subject
    )
    return await campaign.create(request, TemplateView, response, router)


@router.put(
    "/{template_id}",
    response_model=TemplateView,
    summary="Change a template: this makes a new version",
    description="Campaigns that used an earlier version keep its exact text.",
    responses=error_responses(409),
)
async def update_template(
    template_id: TemplatePath, body: TemplateChange, campaign: CampaignDep
) -> Model:
    request = UpdateTemplate(
        **campaign.envelope(),
        template_id=template_id,
        name=body.name,
        body=body.body,
        subject=body.subject,
    )
    return await campaign.ask(request)


@router.post(
    "/{template_id}/archive",
    response_model=TemplateView,
    summary="Archive a template: it is no longer offered, and campaigns that use it keep it",
    responses=error_responses(409),
)
async def archive_template(template_id: TemplatePath, campaign: CampaignDep) -> Model:
    request = ArchiveTemplate(**campaign.envelope(), template_id=template_id)
    return await campaign.ask(request)
