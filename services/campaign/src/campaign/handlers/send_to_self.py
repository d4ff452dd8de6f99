"""A test send: the message rendered for the first recipient, sent to the member of staff's own
phone or inbox, so they read exactly what patients will read before anyone else does."""

import logging
import uuid

from cohort_contracts.campaign_requests import TestSend
from cohort_contracts.campaign_views import TestSendResult
from cohort_contracts.routing import SEND_MESSAGES
from cohort_contracts.sending import OutboundMessage, SendMessages
from cohort_contracts.vocabulary import Channel, RecipientStatus
from cohort_nhs import sms_fragments

from ..domain.contacts import check_test_address
from ..domain.errors import Conflict
from ..domain.messages import RenderedMessage
from ..domain.model import Campaign
from .audit_trail import record_request
from .deps import Deps
from .loading import load_campaign

log = logging.getLogger(__name__)

#: Names a test send's command after the request, so a redelivered request publishes the same
#: command (same message id) and dispatch can recognise the repeat.
TEST_SEND_IDS = uuid.UUID("0b6f1f64-93a5-4d0e-8a57-4f0f3f9d2c11")
SAMPLE_FIRST_NAME, SAMPLE_LAST_NAME = "Jane", "Example"


async def _render(deps: Deps, req: TestSend, campaign: Campaign) -> RenderedMessage:
    ready = RecipientStatus.READY
    recipient = await deps.recipient_messages.first(campaign.id, ready, req.channel)
    if recipient is None:
        other: Channel = "email" if req.channel == "sms" else "sms"
        recipient = await deps.recipient_messages.first(campaign.id, ready, other)
    if recipient is not None:
        return deps.renderer.render_for(campaign, recipient)
    # Nobody uploaded yet: a sample patient, with a link of the real length (it opens nothing).
    sample_id = uuid.uuid5(campaign.id, "sample-recipient").hex
    return deps.renderer.render(campaign, sample_id, SAMPLE_FIRST_NAME, SAMPLE_LAST_NAME)


async def send_test(req: TestSend, deps: Deps) -> TestSendResult:
    campaign = await load_campaign(deps, req.readable_orgs, req.campaign_id)
    if campaign.message is None:
        raise Conflict("Write the message before sending a test.")
    to = check_test_address(req.channel, req.to)
    message = await _render(deps, req, campaign)
    command = SendMessages(
        message_id=uuid.uuid5(TEST_SEND_IDS, str(req.message_id)),
        correlation_id=req.correlation_id,
        org_id=campaign.org_id,
        campaign_id=campaign.id,
        channel=req.channel,
        batch_id=req.message_id,
        messages=[
            OutboundMessage(
                recipient_id=f"test-{req.message_id.hex}",
                to=to,
                body=message.body,
                subject=message.subject,
            )
        ],
        test=True,
    )
    await deps.publisher.publish(SEND_MESSAGES, command)
    await record_request(deps, campaign, req, "test_sent", channel=req.channel)
    log.info("test message sent", extra={"campaign_id": str(campaign.id)})
    return TestSendResult(
        to=to,
        body=message.body,
        subject=message.subject,
        fragments=sms_fragments(message.body) if req.channel == "sms" else 0,
    )
