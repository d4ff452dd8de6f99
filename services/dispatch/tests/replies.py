"""Reading RPC replies in tests."""

from typing import Any

from cohort_contracts.campaign_requests import RpcReply


def refusal(reply: RpcReply[Any]) -> tuple[str, str]:
    """The code and message of a reply that must be an error (and so carry no result)."""
    assert reply.result is None
    assert reply.error is not None
    return reply.error.code, reply.error.message
