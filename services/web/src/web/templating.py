"""The Jinja environment: our templates first, then the NHS.UK frontend's macros
(``nhsuk-frontend-jinja``), with the filters and helpers the pages share."""

from pathlib import Path
from typing import Any

from jinja2_fragments.starlette import Jinja2Blocks
from wtforms import Field

from cohort_http.page_apps import nhsuk_templates

from .forms import CohortForm
from .pages.words import contact, nhs_number, number, patients, pounds, when

TEMPLATES = Path(__file__).parent / "templates"

#: Campaign status -> (what staff read, NHS tag colour).
CAMPAIGN_STATUS = {
    "draft": ("Draft", "nhsuk-tag--grey"),
    "awaiting_approval": ("Waiting for approval", "nhsuk-tag--yellow"),
    "scheduled": ("Scheduled", "nhsuk-tag--purple"),
    "sending": ("Sending", "nhsuk-tag--blue"),
    "paused": ("Paused", "nhsuk-tag--orange"),
    "completed": ("Sent", "nhsuk-tag--green"),
    "cancelled": ("Cancelled", "nhsuk-tag--red"),
}
#: Patient (recipient) status -> (what staff read, NHS tag colour).
RECIPIENT_STATUS = {
    "ready": ("Ready to send", "nhsuk-tag--grey"),
    "queued": ("Queued", "nhsuk-tag--grey"),
    "sending": ("Sending", "nhsuk-tag--blue"),
    "sent": ("Sent", "nhsuk-tag--blue"),
    "delivered": ("Delivered", "nhsuk-tag--green"),
    "failed": ("Failed", "nhsuk-tag--red"),
    "cancelled": ("Cancelled", "nhsuk-tag--grey"),
    "outcome_unknown": ("Outcome unknown", "nhsuk-tag--yellow"),
}
LIST_STATUS = {
    "resolving": ("Checking", "nhsuk-tag--blue"),
    "complete": ("Checked", "nhsuk-tag--green"),
}
CAMPAIGN_TYPE = {"basic": "Basic", "booking": "Booking", "questionnaire": "Questionnaire"}
CHANNEL = {"sms": "SMS", "email": "Email"}


def tag(status: str, kinds: dict[str, tuple[str, str]]) -> dict[str, str]:
    text, colour = kinds.get(status, (status.replace("_", " ").capitalize(), "nhsuk-tag--grey"))
    return {"text": text, "classes": colour}


def error_message(field: Field) -> dict[str, str] | None:
    """The NHS macros' ``errorMessage`` for a WTForms field in error, else None."""
    return {"text": field.errors[0]} if field.errors else None


def error_list(form: CohortForm | None, extra: list[dict[str, str]] | None = None) -> list[Any]:
    """The error summary's links: each field in error, then any error of the whole page."""
    links: list[Any] = []
    if form is not None:
        links = [{"text": text, "href": f"#{field_id}"} for field_id, text in form.field_errors()]
    return links + list(extra or [])


def make_templates() -> Jinja2Blocks:
    env = nhsuk_templates(TEMPLATES)
    env.filters |= {
        "when": when,
        "number": number,
        "patients": patients,
        "pounds": pounds,
        # As staff write them: 07700 900123, 943 476 5919.
        "contact": contact,
        "nhs_number": nhs_number,
    }
    env.globals |= {
        "campaign_tag": lambda s: tag(s, CAMPAIGN_STATUS),
        "recipient_tag": lambda s: tag(s, RECIPIENT_STATUS),
        "list_tag": lambda s: tag(s, LIST_STATUS),
        "CAMPAIGN_TYPE": CAMPAIGN_TYPE,
        "CHANNEL": CHANNEL,
        "RECIPIENT_STATUS": RECIPIENT_STATUS,
        "CAMPAIGN_STATUS": CAMPAIGN_STATUS,
        "error_message": error_message,
        "error_list": error_list,
    }
    return Jinja2Blocks(env=env)
