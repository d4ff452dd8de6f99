"""Shapes shared by request bodies: strict (unknown fields are an error, not silently dropped)."""

from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, ConfigDict, StringConstraints


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


TemplateId = Annotated[str, StringConstraints(min_length=1, max_length=100)]
TemplatePath = Annotated[str, Path(min_length=1, max_length=100)]
