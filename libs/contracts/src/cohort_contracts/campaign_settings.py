"""Type-specific campaign settings, shared by requests and views."""

from typing import Annotated

from pydantic import Field

from .envelope import Model


class BookingSettings(Model):
    appointment_type_code: Annotated[str, Field(min_length=1, max_length=50)]
    appointment_type_display: Annotated[str, Field(min_length=1, max_length=100)]


class QuestionnaireSettings(Model):
    questionnaire_id: Annotated[str, Field(min_length=1, max_length=100)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
