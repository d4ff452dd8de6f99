"""Answers every request on the campaign request queue with an ``RpcReply``."""

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel

from cohort_contracts.campaign_requests import (
    CampaignRequest,
    CancelCampaign,
    ClaimMessages,
    CreateCampaign,
    GetCampaign,
    GetPatientList,
    GetReview,
    GetUnsuccessfulRows,
    ListCampaigns,
    ListRecipients,
    RegisterPatientList,
    ResumeCampaign,
    RpcError,
    RpcReply,
    SendCampaign,
    SetMessage,
)

from ..domain.errors import CampaignError
from . import campaigns, lists, sending
from .deps import Deps

log = logging.getLogger(__name__)

Handler = Callable[[Any, Deps], Awaitable[BaseModel]]

HANDLERS: dict[type[BaseModel], Handler] = {
    CreateCampaign: campaigns.create_campaign,
    ListCampaigns: campaigns.list_campaigns,
    GetCampaign: campaigns.get_campaign,
    SetMessage: campaigns.set_message,
    GetReview: campaigns.get_review,
    SendCampaign: campaigns.send_campaign,
    CancelCampaign: campaigns.cancel_campaign,
    ListRecipients: campaigns.list_recipients,
    RegisterPatientList: lists.register_patient_list,
    GetPatientList: lists.get_patient_list,
    GetUnsuccessfulRows: lists.get_unsuccessful_rows,
    ClaimMessages: sending.claim_messages,
    ResumeCampaign: sending.resume_campaign,
}


async def answer(request: CampaignRequest, deps: Deps) -> RpcReply[Any]:
    """Domain errors become typed error replies; anything else propagates (and the message is
    redelivered) because it is an infrastructure failure, not the caller's fault."""
    try:
        result = await HANDLERS[type(request)](request, deps)
    except CampaignError as exc:
        log.info(
            "request refused",
            extra={"kind": request.kind, "code": exc.code, "message_id": str(request.message_id)},
        )
        return RpcReply[Any](
            error=RpcError(code=exc.code, message=exc.message, details=exc.details)
        )
    return RpcReply[Any](result=result)
