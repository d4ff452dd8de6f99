"""``get_credit``: the balance as an RPC result, or ``unavailable`` as an RPC error."""

from cohort_contracts.dispatch_requests import CreditBalance
from dispatch.handlers import get_credit

from ..builders import ORG, make_get_credit
from ..fakes import FakeCreditSource
from ..replies import refusal


async def test_the_balance_is_the_result() -> None:
    credit = FakeCreditSource(credits=250)

    reply = await get_credit(make_get_credit(), credit)

    assert reply.result == CreditBalance(provider="fake", credits=250)
    assert reply.error is None
    assert credit.asked == [ORG]


async def test_a_balance_that_cannot_be_read_is_an_unavailable_error() -> None:
    credit = FakeCreditSource(unavailable="Firetext could not be reached.")

    reply = await get_credit(make_get_credit(), credit)

    assert refusal(reply) == ("unavailable", "Firetext could not be reached.")
