"""Shapes shared by routes: request bodies, strict (unknown fields are an error, not silently
dropped), and the path and query parameters several routes take."""

from typing import Annotated

from fastapi import Path, Query
from pydantic import BaseModel, ConfigDict, StringConstraints

from cohort_contracts.campaign_requests import MAX_PAGE_SIZE
from cohort_contracts.envelope import MAX_PAGE


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: A campaign's or template's name. The pattern says in the document what stripping does:
#: blanks alone are no name.
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"\S")
]
#: A message's text, campaign's or template's.
MessageText = Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
#: An email's subject.
Subject = Annotated[str, StringConstraints(max_length=200)]
TemplateId = Annotated[str, StringConstraints(min_length=1, max_length=100)]
TemplatePath = Annotated[str, Path(min_length=1, max_length=100)]
RecipientPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-f]+$")]
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE, description="1-based page number")]
#: Campaign's own largest page; routes choose their default.
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
