"""Placeholders: the one renderer used for the review and for what is sent, so staff see
exactly what patients receive."""

import re
from dataclasses import dataclass

PLACEHOLDER = re.compile(r"\(\(\s*([^()]*?)\s*\)\)")
KNOWN_PLACEHOLDERS = ("first_name", "last_name")


@dataclass(frozen=True)
class Personalisation:
    first_name: str
    last_name: str

    def value(self, name: str) -> str:
        return {"first_name": self.first_name, "last_name": self.last_name}[name]


def unknown_placeholders(body: str) -> list[str]:
    return sorted({m.group(1) for m in PLACEHOLDER.finditer(body)} - set(KNOWN_PLACEHOLDERS))


def render(body: str, who: Personalisation) -> str:
    return PLACEHOLDER.sub(lambda m: who.value(m.group(1)), body)


def display_name(name: str) -> str:
    """PDS holds names in capitals ("SMITH"); patients should read "Smith"."""
    return name.title() if name.isupper() or name.islower() else name
