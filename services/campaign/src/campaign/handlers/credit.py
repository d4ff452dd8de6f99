"""Credits: the review shows whether the provider balance covers the campaign; sending is
refused when it certainly does not (an unreadable balance does not block a send)."""

from cohort_contracts.campaign_views import ReviewView

from ..domain.errors import Conflict
from ..domain.sms_cost import cost_pence
from .deps import Deps


async def with_credit(review: ReviewView, org_id: str, deps: Deps) -> ReviewView:
    sms = review.recipients_by_channel.get("sms", 0)
    balance = await deps.credit.balance(org_id) if sms else None
    price = deps.credit_prices.for_org(org_id)
    cost = None if price is None or not sms else cost_pence(review.total_fragments, price)
    return review.model_copy(
        update={
            "credit_balance": balance,
            "credits_needed": review.total_fragments,
            "estimated_cost_pence": cost,
        }
    )


def ensure_credit(review: ReviewView) -> None:
    if review.credit_balance is not None and review.credit_balance < review.credits_needed:
        raise Conflict(
            f"This campaign needs {review.credits_needed} SMS credits but your Firetext "
            f"account has {review.credit_balance}. Top up, then send.",
            credits_needed=review.credits_needed,
            credit_balance=review.credit_balance,
        )
