"""Leaving out, as rows resolve, patients whose mobile number failed for good when the
organisation last texted it (``domain/failed_numbers``)."""

from collections.abc import Sequence
from datetime import timedelta

from ..domain.failed_numbers import will_fail_again
from ..domain.model import Recipient
from .deps import Deps


async def failed_before(deps: Deps, org_id: str, recipients: Sequence[Recipient]) -> set[str]:
    """Ids of the text recipients whose number's latest text failed in a way another would."""
    if deps.failed_number_days == 0:
        return set()
    texted = [r for r in recipients if r.channel == "sms"]
    since = deps.clock() - timedelta(days=deps.failed_number_days)
    last = await deps.repeats.last_texts(org_id, sorted({r.contact for r in texted}), since)
    return {r.id for r in texted if r.contact in last and will_fail_again(last[r.contact])}
