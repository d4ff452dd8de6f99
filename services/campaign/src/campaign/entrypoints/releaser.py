"""Runs releases in the background, and the sweeper that keeps every campaign moving.

Any instance may kick a release (after a send or resume, or from its sweep): the campaign's
release lease makes sure only one instance releases a campaign at a time. Every instance
sweeps; each thing a sweep does is claimed item by item in the store (an unpublished batch is
claimed before it is republished, a send-again list whose rows are pending before they are
queued; an expired recipient moves once), so sweeping instances never do the same work twice."""

import asyncio
import logging
from dataclasses import dataclass, field
from uuid import UUID

from cohort_contracts.campaign_requests import (
    ApproveCampaign,
    CampaignRequest,
    ResumeCampaign,
    SendCampaign,
)
from cohort_platform.errors import describe

from ..domain.model import Campaign
from ..handlers.approval import start_due
from ..handlers.deps import Deps
from ..handlers.outcomes import expire_unsettled, finish_if_done, settle_counts
from ..handlers.release import release, republish_unpublished
from ..handlers.send_again import queue_pending_rows

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Releaser:
    deps: Deps
    interval_s: float
    grace_s: float
    receipt_timeout_s: float = 72 * 3600
    claim_timeout_s: float = 15 * 60
    _running: dict[UUID, asyncio.Task[int]] = field(default_factory=dict, init=False, repr=False)
    _sweeper: asyncio.Task[None] | None = field(default=None, init=False, repr=False)

    def start(self) -> None:
        self._sweeper = asyncio.create_task(self._sweep_forever())

    def kick(self, campaign: Campaign) -> None:
        if campaign.id in self._running:
            return
        task = asyncio.create_task(release(campaign, self.deps))
        self._running[campaign.id] = task
        task.add_done_callback(lambda t: self._done(campaign.id, t))

    async def after(self, request: CampaignRequest) -> None:
        """Background work a request that succeeded calls for: sending, after a send, approval
        or resume (a campaign still scheduled or awaiting approval releases nothing)."""
        if not isinstance(request, SendCampaign | ApproveCampaign | ResumeCampaign):
            return
        campaign = await self.deps.campaigns.get_in(request.readable_orgs, request.campaign_id)
        if campaign is not None:
            self.kick(campaign)

    def _done(self, campaign_id: UUID, task: asyncio.Task[int]) -> None:
        self._running.pop(campaign_id, None)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error(
                "release failed; the sweeper will resume it",
                extra={"campaign_id": str(campaign_id), **describe(exc)},
            )

    async def sweep(self) -> None:
        await republish_unpublished(self.deps, self.grace_s)
        await queue_pending_rows(self.deps, self.grace_s)
        # Scheduled campaigns whose time has come start here (the sweep interval is their
        # precision: seconds, where Notify's scheduler runs every 15 minutes).
        await start_due(self.deps)
        for campaign in await self.deps.campaigns.list_sending():
            # Probes rather than counters: completes a campaign whose counters lag a crash.
            # Before releasing, not beside it: both take the campaign's release lease.
            if campaign.id in self._running or not await finish_if_done(
                campaign.org_id, campaign.id, self.deps, trust_counts=False
            ):
                self.kick(campaign)
        await expire_unsettled(self.deps, self.receipt_timeout_s, self.claim_timeout_s)
        await settle_counts(self.deps)

    async def _sweep_forever(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception as exc:
                log.error("sweep failed", extra=describe(exc))
            await asyncio.sleep(self.interval_s)

    async def settle(self) -> None:
        """Wait for the releases already started (tests, and a graceful stop)."""
        await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def stop(self) -> None:
        tasks = [t for t in (self._sweeper, *self._running.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
