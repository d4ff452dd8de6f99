"""Shapes shared by routes: request bodies, strict (unknown fields are an error, not silently
dropped), and the path and query parameters several routes take."""

from typing import Annotated

from fastapi import Path, Query
from pydantic import BaseModel, ConfigDict, StringConstraints

from cohort_contracts.campaign_requests import MAX_PAGE_SIZE


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


TemplateId = Annotated[str, StringConstraints(min_length=1, max_length=100)]
TemplatePath = Annotated[str, Path(min_length=1, max_length=100)]
RecipientPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-f]+$")]
PageNumber = Annotated[int, Query(ge=1, description="1-based page number")]
#: Campaign's own largest page; routes choose their default.
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
