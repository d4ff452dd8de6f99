"""Sending a finished campaign again to the patients it did not reach: a new draft with the
same message, whose lists ingest checks against PDS again; staff review and send it as any
other campaign, so every safety step (review, count, approval, quiet hours) applies again.

Every step can be repeated by a redelivered request (same message id) without doing it twice:
the campaign is named by the request, recipients are taken for that campaign only, the lists
are named by campaign and channel, and each batch of rows by list and number."""

import logging
import uuid
from datetime import timedelta
from uuid import UUID

from cohort_contracts.campaign_requests import GetSendAgain, SendAgain
from cohort_contracts.campaign_views import CampaignView, SendAgainCount, SendAgainView
from cohort_contracts.ingest import ResolveRows, UploadedRow
from cohort_contracts.routing import RESOLVE_ROWS
from cohort_contracts.vocabulary import Channel, SendReason

from ..domain.errors import Conflict
from ..domain.model import Campaign, PatientList, Recipient
from ..domain.send_again import (
    BATCH_ROWS,
    COLUMNS,
    SEND_AGAIN_RULE,
    cannot_send_again_because,
    follow_up,
    list_id_for,
    list_rows,
)
from .audit_trail import record_request
from .deps import Deps
from .lists import accept_list
from .loading import load_campaign
from .requested import current_view, made_once, request_id_in_use

log = logging.getLogger(__name__)


async def get_send_again(req: GetSendAgain, deps: Deps) -> SendAgainView:
    campaign = await load_campaign(deps, req.readable_orgs, req.campaign_id)
    counts = await deps.send_again.counts(campaign.id, SEND_AGAIN_RULE)
    patients = sum(counts.values())
    return SendAgainView(
        campaign_id=campaign.id,
        patients=patients,
        by_reason=[
            SendAgainCount(reason_code=SendReason(code), count=n)
            for code, n in sorted(counts.items())
        ],
        cannot_because=cannot_send_again_because(campaign, patients),
    )


async def send_again(req: SendAgain, deps: Deps) -> CampaignView:
    source = await load_campaign(deps, req.readable_orgs, req.campaign_id)
    campaign, taken = await _new_campaign(req, deps, source)
    # Written by whichever delivery gets here (once per request), so a delivery that died
    # after making the campaign leaves it no less audited.
    await record_request(
        deps, campaign, req, "created", type=campaign.type, follows_up=str(source.id)
    )
    for channel, rows in list_rows(taken).items():
        await _add_list(req, deps, source, campaign, channel, rows)
    await record_request(
        deps, source, req, "sent_again", campaign_id=str(campaign.id), recipients=len(taken)
    )
    log.info(
        "campaign sent again",
        extra={"campaign_id": str(source.id), "new_campaign_id": str(campaign.id)},
    )
    return await current_view(deps, campaign)


async def _new_campaign(
    req: SendAgain, deps: Deps, source: Campaign
) -> tuple[Campaign, list[Recipient]]:
    """The request's campaign and the patients it took: both made now, or found made by an
    earlier delivery of the request.

    The patients are taken before the campaign is made, under the request's id (which becomes
    the campaign's): of two requests at once, the one that finds nobody left to take makes no
    campaign, instead of an empty draft. Taken once: a repeated request finds the same patients
    in the same order (so its lists and batches are the same), even if a late receipt has
    failed another patient since."""
    existing = await deps.campaigns.get(source.org_id, req.message_id)
    if existing is not None and existing.follows_up != source.id:
        raise request_id_in_use()
    taken = await deps.send_again.held(source.id, req.message_id)
    if not taken:
        if existing is None:
            counts = await deps.send_again.counts(source.id, SEND_AGAIN_RULE)
            if why := cannot_send_again_because(source, sum(counts.values())):
                raise Conflict(why)
        await deps.send_again.take(source.id, SEND_AGAIN_RULE, req.message_id)
        taken = await deps.send_again.held(source.id, req.message_id)
    if existing is not None:
        return existing, taken
    if not taken:
        # Another request took them between our count and our take.
        raise Conflict(cannot_send_again_because(source, 0) or "")
    campaign = follow_up(
        source, id=req.message_id, name=req.name, actor=req.actor, now=deps.clock()
    )
    made = await made_once(deps, campaign)
    if made is None:
        # What it took goes back, or nobody could send those patients again.
        await deps.send_again.release(source.id, req.message_id)
        raise request_id_in_use()
    return made, taken


async def queue_pending_rows(deps: Deps, older_than_s: float) -> int:
    """The sweep's part: hands ingest the rows of every send-again list pending for longer than
    ``older_than_s``, i.e. whose request stopped before all its batches were published (an
    infrastructure failure, then its redelivery dropped past the caller's deadline). Batches
    keep their ids, so one published before is a redelivery to ingest. Each list is claimed
    first, so of several instances sweeping at once only one queues it. The number of rows."""
    now = deps.clock()
    before = now - timedelta(seconds=older_than_s)
    queued = 0
    for patient_list in await deps.lists.rows_pending(before):
        if not await deps.lists.claim_rows_pending(patient_list.id, before, now):
            continue
        campaign = await deps.campaigns.get(patient_list.org_id, patient_list.campaign_id)
        if campaign is not None and campaign.follows_up is not None:
            taken = await deps.send_again.held(campaign.follows_up, campaign.id)
            rows = list_rows(taken).get(patient_list.channel, [])
            await _publish_rows(deps, patient_list, rows, correlation_id=campaign.id)
            queued += len(rows)
            log.info("send-again list queued by the sweep", extra={"list_id": str(patient_list.id)})
        await deps.lists.rows_queued(patient_list.id)
    return queued


async def _add_list(
    req: SendAgain,
    deps: Deps,
    source: Campaign,
    campaign: Campaign,
    channel: Channel,
    rows: list[UploadedRow],
) -> None:
    """Registers the channel's list and hands its rows to ingest in batches, as an upload
    does. Registered first: rows resolved before their list exists would be dropped. Pending
    until every batch is published, so the sweep finishes what a failure stopped."""

    list_id = list_id_for(campaign.id, channel)
    await accept_list(deps, campaign.org_id, campaign.id)
    patient_list = await deps.lists.add(
        PatientList(
            id=list_id,
            campaign_id=campaign.id,
            org_id=campaign.org_id,
            channel=channel,
            filename=f"Not reached: {source.name}",
            columns=COLUMNS,
            total_rows=len(rows),
            created_at=deps.clock(),
        ),
        rows_pending=True,
    )
    await _publish_rows(deps, patient_list, rows, correlation_id=req.correlation_id)
    await deps.lists.rows_queued(patient_list.id)
    log.info("send-again list registered", extra={"list_id": str(list_id), "rows": len(rows)})


async def _publish_rows(
    deps: Deps, patient_list: PatientList, rows: list[UploadedRow], correlation_id: UUID
) -> None:
    for number, start in enumerate(range(0, len(rows), BATCH_ROWS)):
        command = ResolveRows(
            message_id=uuid.uuid5(patient_list.id, str(number)),
            correlation_id=correlation_id,
            org_id=patient_list.org_id,
            campaign_id=patient_list.campaign_id,
            list_id=patient_list.id,
            channel=patient_list.channel,
            batch_number=number,
            rows=rows[start : start + BATCH_ROWS],
        )
        await deps.publisher.publish(RESOLVE_ROWS, command)
