"""The tokens in patients' links, as far as the gateway can judge them without campaign: the
organisation they name and whether they can be one of ours at all (campaign checks the
signature). A token that cannot be one is refused without asking campaign."""

import re

from .identity import ODS_CODE

#: ``<ODS code>.<payload>.<signature>``, base64url; ``fullmatch``, as ``$`` would let a
#: trailing newline through.
_LINK = re.compile(r"[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+){2}")
_MIN_LINK, _MAX_LINK = 10, 500
#: An email's one-click unsubscribe token (``List-Unsubscribe``).
_UNSUBSCRIBE = re.compile(r"[A-Z0-9]{3,10}\.[A-Za-z0-9_\-]{10,40}\.[A-Za-z0-9_\-]{10,40}")


def link_org(token: str) -> str | None:
    """The ODS code a booking or questionnaire link's token names; None: not one of ours."""
    ods = token.split(".", 1)[0]
    if _MIN_LINK <= len(token) <= _MAX_LINK and _LINK.fullmatch(token) and ODS_CODE.match(ods):
        return ods
    return None


def unsubscribe_org(token: str) -> str | None:
    """The ODS code an unsubscribe token names; None: not one of ours."""
    ods = token.split(".", 1)[0]
    if _UNSUBSCRIBE.fullmatch(token) and ODS_CODE.match(ods):
        return ods
    return None
