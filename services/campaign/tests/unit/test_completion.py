"""A campaign completes only once nothing is left to send, whatever moves while it looks.

Completion looks for an unsent recipient one state at a time, so a recipient that changes state
between two of those probes could hide from both; the campaign would then complete with
patients still queued, dispatch's claims would be refused, and they would never be sent (seen
once in an end-to-end run: "campaign completed" 31 ms after "campaign sent"). These tests move
recipients at exactly that moment."""

from collections.abc import Awaitable, Callable
from typing import Any

from campaign.handlers import outcomes
from campaign.handlers.deps import Deps
from cohort_contracts.vocabulary import CampaignStatus, RecipientStatus

from ..builders import ORG
from ..fakes import FakePublisher
from .helpers import (
    Wrapper,
    all_sent,
    claim,
    release_now,
    released,
    returned_report,
    sending,
    sent_and_claimed,
    sent_and_released,
    status_of,
)


class ProbeHook(Wrapper):
    """Stands in front of the recipients collection and, after the first probe for
    ``status`` (None: for any state), runs ``then`` once, as another task would in that gap."""

    def __init__(
        self,
        collection: Any,
        status: RecipientStatus | None,
        then: Callable[[], Awaitable[Any]],
    ) -> None:
        super().__init__(collection)
        self._status = None if status is None else status.value
        self._then: Callable[[], Awaitable[Any]] | None = then

    async def find_one(self, query: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        found = await self._inner.find_one(query, *args, **kwargs)
        status = query.get("status")
        probing = isinstance(status, str) and self._status in (None, status)
        if probing and self._then is not None:
            then, self._then = self._then, None
            await then()
        return found


def hook(
    deps: Deps, status: RecipientStatus | None, then: Callable[[], Awaitable[Any]]
) -> ProbeHook:
    recipients: Any = deps.recipients
    probe = ProbeHook(recipients._c, status, then)
    recipients._c = probe
    return probe


async def test_a_release_cannot_hide_recipients_from_completion(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id = await sending(deps, 3)
    releases: list[int] = []

    async def release() -> None:
        releases.append(await release_now(deps, campaign_id))

    # Whichever state is probed first, a release in the gap after it moves every ready
    # recipient to queued; the sweep's completion check must not miss them.
    hook(deps, None, release)
    assert not await outcomes.finish_if_done(ORG, campaign_id, deps, trust_counts=False)
    assert await status_of(deps, campaign_id) is CampaignStatus.SENDING
    # The release waited for the check (both hold the campaign's release lease) and goes
    # once it is over.
    assert releases == [0]
    assert await release_now(deps, campaign_id) == 3
    counts = await deps.recipients.counts(campaign_id)
    assert counts == {RecipientStatus.QUEUED: 3}


async def test_a_recipient_put_back_to_ready_while_looking_is_not_missed(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, ids = await sent_and_released(deps, publisher, 3)
    assert sorted(await claim(deps, campaign_id, ids)) == sorted(ids)
    [batch] = released(publisher)

    async def returned() -> None:
        # Dispatch could not send them after all (sending was blocked): back to ready.
        await outcomes.record_messages_sent(returned_report(campaign_id, batch.batch_id, ids), deps)

    # Ready is looked at first and holds nobody; they come back to it straight after.
    hook(deps, RecipientStatus.READY, returned)
    assert not await outcomes.finish_if_done(ORG, campaign_id, deps, trust_counts=False)
    assert await status_of(deps, campaign_id) is CampaignStatus.SENDING
    assert await deps.recipients.counts(campaign_id) == {RecipientStatus.READY: 3}


async def test_a_campaign_with_nothing_unsent_completes(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, ids = await sent_and_claimed(deps, publisher, 2)
    [batch] = released(publisher)
    await all_sent(deps, campaign_id, ids, batch_id=batch.batch_id)
    assert await status_of(deps, campaign_id) is CampaignStatus.COMPLETED
    # Completing took and gave back the release lease: nothing is left holding it.
    assert await deps.leases.acquire(f"release:{campaign_id}", "someone", 30)
