"""``GetCredit`` → ``RpcReply[CreditBalance]``: the organisation's SMS credit at Firetext, for
the campaign review. An unreachable provider is an answer (``unavailable``), not a failure of
the request: the review shows the balance as unknown instead of waiting for a timeout."""

import logging

from cohort_contracts.campaign_requests import RpcError, RpcReply
from cohort_contracts.dispatch_requests import CreditBalance, GetCredit

from ..domain.errors import CreditUnavailable
from ..ports import CreditSource

log = logging.getLogger("dispatch.credit")


async def get_credit(request: GetCredit, credit: CreditSource) -> RpcReply[CreditBalance]:
    ids = {"message_id": str(request.message_id), "org_id": request.org_id}
    try:
        balance = await credit.credit(request.org_id)
    except CreditUnavailable as exc:
        log.warning("credit balance unavailable", extra=ids)
        return RpcReply[CreditBalance](error=RpcError(code="unavailable", message=exc.reason))
    log.info("credit balance read", extra=ids)
    return RpcReply[CreditBalance](result=balance)
