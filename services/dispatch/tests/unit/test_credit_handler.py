"""``get_credit``: the balance as an RPC result, or ``unavailable`` as an RPC error."""

import uuid

from cohort_contracts.dispatch_requests import CreditBalance, GetCredit
from dispatch.handlers import get_credit

from ..builders import ORG
from ..fakes import FakeCreditSource


def request() -> GetCredit:
    return GetCredit(correlation_id=uuid.uuid4(), org_id=ORG, actor="campaign")


async def test_the_balance_is_the_result() -> None:
    credit = FakeCreditSource(credits=250)

    reply = await get_credit(request(), credit)

    assert reply.result == CreditBalance(provider="fake", credits=250)
    assert reply.error is None
    assert credit.asked == [ORG]


async def test_a_balance_that_cannot_be_read_is_an_unavailable_error() -> None:
    credit = FakeCreditSource(unavailable="Firetext could not be reached.")

    reply = await get_credit(request(), credit)

    assert reply.result is None
    assert reply.error is not None
    assert (reply.error.code, reply.error.message) == (
        "unavailable",
        "Firetext could not be reached.",
    )
