"""What a campaign's texts will cost: its credits at the organisation's price per Firetext
credit, which depends on its contract (a practice's own account, or the network's), so it is
set per organisation, with a deployment-wide default. No price set: no estimate, rather than a
guess staff might budget by."""

import math
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class CreditPrices:
    """Pence per credit: the deployment's default and the organisations that set their own."""

    default: Decimal | None = None
    per_org: dict[str, Decimal] = field(default_factory=dict)

    def for_org(self, org_id: str) -> Decimal | None:
        return self.per_org.get(org_id, self.default)


def cost_pence(credits: int, price_pence: Decimal) -> int:
    """Whole pence, rounded up: an estimate is never below what will be charged."""
    return math.ceil(credits * price_pence)
