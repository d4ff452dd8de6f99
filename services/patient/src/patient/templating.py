"""The Jinja environment: our templates first, then the NHS.UK frontend's macros
(``nhsuk-frontend-jinja``), with the filters the pages share."""

from datetime import datetime
from pathlib import Path

from jinja2 import ChainableUndefined, ChoiceLoader, Environment, FileSystemLoader, PackageLoader
from starlette.templating import Jinja2Templates

from .pages.slots import UK, day_text, time_text, when_text

TEMPLATES = Path(__file__).parent / "templates"


def uk_date(moment: datetime) -> str:
    return moment.astimezone(UK).date().isoformat()


def phone_href(phone: str) -> str:
    return "tel:" + "".join(c for c in phone if c.isdigit() or c == "+")


def make_templates() -> Jinja2Templates:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(TEMPLATES), PackageLoader("nhsuk_frontend_jinja")]),
        # The NHS macros read optional parameters through chains (params.hint.text).
        undefined=ChainableUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters |= {
        "when": when_text,
        "time": time_text,
        "day": day_text,
        "tel": phone_href,
        "uk_date": uk_date,
    }
    return Jinja2Templates(env=env)
