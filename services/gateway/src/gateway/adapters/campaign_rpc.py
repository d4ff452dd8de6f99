"""``CampaignClient`` over RabbitMQ request/reply (``cohort_platform.rpc.RpcClient``)."""

import logging

from pydantic import ValidationError

from cohort_contracts.campaign_requests import REPLY_TYPES, read_reply
from cohort_contracts.envelope import Message, Model
from cohort_contracts.routing import CAMPAIGN_REQUESTS
from cohort_platform.rpc import RpcClient, RpcTimeout

from ..ports import CampaignError, CampaignUnavailable
from . import BROKER_ERRORS

log = logging.getLogger("gateway.campaign")


class RpcCampaignClient:
    def __init__(self, rpc: RpcClient) -> None:
        self._rpc = rpc

    async def request(self, request: Message) -> Model:
        kind = type(request).__name__
        result_type = REPLY_TYPES[type(request)]
        try:
            reply = read_reply(await self._rpc.call(request, CAMPAIGN_REQUESTS), result_type)
        except RpcTimeout as exc:
            raise CampaignUnavailable(f"campaign did not answer {kind} in time") from exc
        except BROKER_ERRORS as exc:
            raise CampaignUnavailable(f"campaign could not be asked ({kind})") from exc
        except ValidationError as exc:
            # A reply we cannot read is campaign's bug, but to the client it is an outage.
            log.error("unreadable reply from campaign", extra={"kind": kind})
            raise CampaignUnavailable(f"campaign's reply to {kind} could not be read") from exc
        if reply.error is not None:
            raise CampaignError(reply.error.code, reply.error.message, dict(reply.error.details))
        if reply.result is None:
            raise CampaignUnavailable(f"campaign's reply to {kind} had no result")
        return reply.result
