"""Review and send: what to call out before anyone presses Send."""

from dataclasses import dataclass

from ..api_views import Review


@dataclass(frozen=True)
class Blocker:
    text: str
    href: str | None = None


def blockers(review: Review, campaign_base: str) -> list[Blocker]:
    """Why the campaign cannot be sent yet; empty when it can."""
    found: list[Blocker] = []
    if review.status != "draft":
        found.append(Blocker("This campaign has already been sent."))
    if review.lists_resolving:
        found.append(
            Blocker(
                "A patient list is still being checked with PDS. Wait for it to finish.",
                f"{campaign_base}",
            )
        )
    if review.recipient_count == 0 and not review.lists_resolving:
        found.append(
            Blocker("There are no patients to send to. Upload a patient list.", campaign_base)
        )
    if short_of_credit(review):
        found.append(
            Blocker(
                f"Your Firetext account has {review.credit_balance:,} credits but this campaign "
                f"needs {review.credits_needed:,}. Top up your Firetext account, then review "
                "again."
            )
        )
    return found


def short_of_credit(review: Review) -> bool:
    return (
        review.credit_balance is not None
        and review.credits_needed > 0
        and review.credit_balance < review.credits_needed
    )
