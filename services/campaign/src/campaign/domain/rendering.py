"""Placeholders: the one renderer used for the review and for what is sent, so staff see
exactly what patients receive."""

import difflib
import functools
import re
from dataclasses import dataclass

from cohort_contracts.vocabulary import CampaignType

from .errors import InvalidMessage

PLACEHOLDER = re.compile(r"\(\(\s*([^()]*?)\s*\)\)")
_IGNORED_IN_NAMES = re.compile(r"[\s_-]")
KNOWN_PLACEHOLDERS = ("first_name", "last_name", "practice_name", "link")
#: When the organisations file does not name the practice.
DEFAULT_PRACTICE_NAME = "your GP practice"


def normalise(name: str) -> str:
    """Placeholders match as Notify matches them: case, spaces, ``_`` and ``-`` do not matter,
    so ((First Name)) is ((first_name))."""
    return _IGNORED_IN_NAMES.sub("", name).lower()


_CANONICAL = {normalise(n): n for n in KNOWN_PLACEHOLDERS}


@dataclass(frozen=True)
class Personalisation:
    first_name: str
    last_name: str
    practice_name: str = DEFAULT_PRACTICE_NAME
    link: str = ""

    def value(self, name: str) -> str | None:
        canonical = _CANONICAL.get(normalise(name))
        return None if canonical is None else str(getattr(self, canonical))


@functools.lru_cache(maxsize=256)
def _parsed(text: str) -> tuple[tuple[str, str | None], ...]:
    """``text`` as (literal, placeholder) pairs, parsed once per text rather than once per
    recipient. An unknown placeholder stays literal (validation refuses them earlier)."""
    parts: list[tuple[str, str | None]] = []
    start = 0
    for m in PLACEHOLDER.finditer(text):
        canonical = _CANONICAL.get(normalise(m.group(1)))
        if canonical is not None:
            parts.append((text[start : m.start()], canonical))
            start = m.end()
    parts.append((text[start:], None))
    return tuple(parts)


def placeholders(text: str) -> set[str]:
    """The known placeholders ``text`` uses, by canonical name."""
    return {name for _, name in _parsed(text) if name is not None}


def unknown_placeholders(body: str) -> list[str]:
    return sorted(
        {m.group(1) for m in PLACEHOLDER.finditer(body) if normalise(m.group(1)) not in _CANONICAL}
    )


def check_placeholders(campaign_type: CampaignType, body: str, subject: str | None) -> None:
    """A message (or template) may use only the placeholders we can fill, and ((link)) only
    where there is a link: in the body of a booking or questionnaire message."""
    for field, text in (("body", body), ("subject", subject or "")):
        if unknown := unknown_placeholders(text):
            close = difflib.get_close_matches(normalise(unknown[0]), list(_CANONICAL), n=1)
            hint = f" Did you mean (({_CANONICAL[close[0]]}))?" if close else ""
            raise InvalidMessage(
                f"Unknown placeholder (({unknown[0]})).{hint} You can use "
                + ", ".join(f"(({n}))" for n in KNOWN_PLACEHOLDERS if n != "link")
                + ".",
                field=field,
                unknown_placeholders=unknown,
            )
    if "link" in placeholders(subject or ""):
        raise InvalidMessage("The link can go in the message, not the subject.", field="subject")
    if campaign_type == "basic" and "link" in placeholders(body):
        raise InvalidMessage(
            "A basic campaign has no link: remove ((link)). Booking and questionnaire "
            "campaigns add each patient's link for you.",
            field="body",
            placeholder="link",
        )


def render(body: str, who: Personalisation) -> str:
    return "".join(
        literal if name is None else literal + str(getattr(who, name))
        for literal, name in _parsed(body)
    )


def display_name(name: str) -> str:
    """PDS holds names in capitals ("SMITH"); patients should read "Smith"."""
    return name.title() if name.isupper() or name.islower() else name
