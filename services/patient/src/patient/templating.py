"""The Jinja environment: our templates first, then the NHS.UK frontend's macros
(``nhsuk-frontend-jinja``), with the filters the pages share."""

from datetime import datetime
from pathlib import Path

from starlette.templating import Jinja2Templates

from cohort_http.page_apps import nhsuk_templates

from .pages.slots import UK, day_text, time_text, when_text

TEMPLATES = Path(__file__).parent / "templates"


def uk_date(moment: datetime) -> str:
    return moment.astimezone(UK).date().isoformat()


def phone_href(phone: str) -> str:
    return "tel:" + "".join(c for c in phone if c.isdigit() or c == "+")


def make_templates() -> Jinja2Templates:
    env = nhsuk_templates(TEMPLATES)
    env.filters |= {
        "when": when_text,
        "time": time_text,
        "day": day_text,
        "tel": phone_href,
        "uk_date": uk_date,
    }
    return Jinja2Templates(env=env)
