"""Leaving out patients whose mobile number failed for good when the organisation last texted
it (``domain/failed_numbers``): as their rows resolve, and, for texts not yet sent, as soon as
a text to the number fails that way."""

import logging
from collections.abc import Sequence
from datetime import timedelta

from cohort_contracts.vocabulary import RecipientStatus, UploadReason

from ..domain.failed_numbers import LastText, will_fail_again
from ..domain.model import Recipient
from ..ports.recipients import Move, Moved
from .deps import Deps
from .suppressions import exclude

log = logging.getLogger(__name__)

FAILED = RecipientStatus.FAILED.value
NUMBER_FAILED_BEFORE = UploadReason.NUMBER_FAILED_BEFORE.value


async def failed_before(deps: Deps, org_id: str, recipients: Sequence[Recipient]) -> set[str]:
    """Ids of the text recipients whose number's latest text failed in a way another would."""
    texted = [r for r in recipients if r.channel == "sms"]
    failed = await failed_numbers(deps, org_id, [r.contact for r in texted])
    return {r.id for r in texted if r.contact in failed}


async def failed_numbers(deps: Deps, org_id: str, numbers: Sequence[str]) -> set[str]:
    """Those of ``numbers`` whose latest text from the organisation failed in a way another
    would. (An email address never matches: only texts are looked at.)"""
    if deps.failed_number_days == 0 or not numbers:
        return set()
    since = deps.clock() - timedelta(days=deps.failed_number_days)
    last = await deps.repeats.last_texts(org_id, sorted(set(numbers)), since)
    return {n for n, text in last.items() if will_fail_again(text)}


async def exclude_unsent_at_failed_numbers(
    deps: Deps, org_id: str, moves: Sequence[Move], moved: Sequence[Moved]
) -> int:
    """A text that has just failed for good takes the organisation's unsent texts to the same
    number with it (another patient at the number, or the patient in a draft or a campaign not
    yet released): they fail now as NUMBER_FAILED_BEFORE, as opt-outs are taken out, instead of
    each failing at the provider for a credit. How many."""
    if deps.failed_number_days == 0:
        return 0
    done = {m.recipient_id for m in moved if m.to is RecipientStatus.FAILED}
    failed = [
        m.recipient_id
        for m in moves
        if m.recipient_id in done
        and will_fail_again(LastText(FAILED, m.reason_code, m.failure_permanent))
    ]
    numbers = await deps.exclusions.texted_numbers(org_id, failed)
    if not numbers:
        return 0
    unsent = await deps.exclusions.unsent_with_contact(org_id, sorted(numbers))
    texts = [r.id for r in unsent if r.channel == "sms"]
    taken = await exclude(deps, org_id, texts, UploadReason.NUMBER_FAILED_BEFORE)
    if taken:
        log.info("unsent texts to a failed number excluded", extra={"count": len(taken)})
    return len(taken)
