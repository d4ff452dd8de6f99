"""Delivery outcomes by recipient number, configured as ``FIRETEXT_SIM_OUTCOMES``.

Format: comma-separated ``<suffix>=<status>:<code>`` rules matched on the end of the number,
longest suffix first. A rule may chain receipts with ``>``: ``2:000>1:102`` sends a pending
receipt, then (after another delay) declined with code 102. Statuses are Firetext's: 0 delivered,
1 declined/undelivered, 2 pending with the network; codes are its three-digit network codes.
"""

import re
from dataclasses import dataclass

_RULE = re.compile(r"^(\d+)=(\d:\d{3}(?:>\d:\d{3})*)$")
STATUS_NAMES = {0: "delivered", 1: "declined", 2: "pending"}


@dataclass(frozen=True)
class Outcome:
    status: int
    code: str

    @property
    def name(self) -> str:
        return STATUS_NAMES[self.status]


DELIVERED = (Outcome(0, "000"),)


class OutcomeRules:
    def __init__(self, spec: str) -> None:
        self._by_suffix = dict(
            _parse_rule(rule.strip()) for rule in spec.split(",") if rule.strip()
        )
        # Longest suffix wins, so try the longest first.
        self._suffixes = sorted(self._by_suffix, key=len, reverse=True)

    def for_number(self, number: str) -> tuple[Outcome, ...]:
        for suffix in self._suffixes:
            if number.endswith(suffix):
                return self._by_suffix[suffix]
        return DELIVERED


def _parse_rule(rule: str) -> tuple[str, tuple[Outcome, ...]]:
    match = _RULE.match(rule)
    if match is None:
        raise ValueError(f"outcome rule {rule!r} is not <digits>=<status>:<code>[>...]")
    suffix, chain = match.groups()
    outcomes = []
    for step in chain.split(">"):
        status, code = step.split(":")
        if int(status) not in STATUS_NAMES:
            raise ValueError(f"outcome rule {rule!r}: status must be 0, 1 or 2")
        outcomes.append(Outcome(int(status), code))
    return suffix, tuple(outcomes)
