"""``/v1/campaigns/{id}/events``: the campaign's status and counts as they change (SSE)."""

from typing import Annotated
from uuid import UUID

from fastapi import Header
from fastapi.responses import StreamingResponse

from cohort_contracts.campaign_requests import GetCampaign
from cohort_contracts.campaign_views import CampaignView

from ...ports import expect
from .auth import CallerDep
from .staff_campaign import staff_router
from .wiring import WiringDep

router = staff_router(prefix="/v1/campaigns", tag="campaigns")

DESCRIPTION = """A `text/event-stream` of `progress` events, each one JSON:
`{"campaign_id", "status", "paused_reason", "held_until", "counts": {"recipients", "queued", "sent",
"delivered", "failed", "cancelled", "outcome_unknown"}}` — no patient data. The current state
comes first, then one event per change (read about once a second), and a comment line every
15 seconds while nothing changes. Every event has an `id`; reconnect with `Last-Event-ID` (as
browsers' `EventSource` does by itself) to skip a state you already have, on this gateway or
any other instance."""


@router.get(
    "/{campaign_id}/events",
    response_class=StreamingResponse,
    summary="Live progress of a campaign as server-sent events",
    description=DESCRIPTION,
    responses={
        200: {
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
            "description": "An endless stream of events",
        },
    },
)
async def campaign_events(
    campaign_id: UUID,
    caller: CallerDep,
    wiring: WiringDep,
    last_event_id: Annotated[str | None, Header(max_length=100)] = None,
) -> StreamingResponse:
    # The caller's own read: another organisation's campaign is a 404 before any stream starts.
    request = GetCampaign(**caller.envelope(), campaign_id=campaign_id)
    view = expect(await wiring.campaign.request(request), CampaignView)
    return StreamingResponse(
        wiring.events.stream(view, last_event_id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
