"""The names of the people views name by id, from what staff's sign-in gave (``People``)."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from uuid import UUID

from cohort_contracts.campaign_views import AuditEntry

from ..domain.model import Campaign
from .deps import Deps
from .views import named_in


async def people_of(deps: Deps, campaigns: Sequence[Campaign]) -> dict[UUID, dict[str, str]]:
    """Each campaign's named people (``named_in``) by name, where known: one read per
    organisation, and each campaign's names from its own organisation only."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for campaign in campaigns:
        wanted[campaign.org_id] |= named_in(campaign)
    known = {org_id: await deps.people.names(org_id, ids) for org_id, ids in wanted.items()}
    return {c.id: _known(named_in(c), known[c.org_id]) for c in campaigns}


async def people_in_trail(deps: Deps, org_id: str, entries: Iterable[AuditEntry]) -> dict[str, str]:
    """The actors of an audit trail, and anyone its entries name by id (who asked for a send
    an approver decided on), by name where known."""
    ids = set()
    for entry in entries:
        ids.add(entry.actor)
        if isinstance(requested_by := entry.details.get("requested_by"), str):
            ids.add(requested_by)
    return await deps.people.names(org_id, ids)


def _known(ids: set[str], names: dict[str, str]) -> dict[str, str]:
    return {user_id: names[user_id] for user_id in ids if user_id in names}
