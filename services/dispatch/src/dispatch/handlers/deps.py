"""What the consumer's handlers are given (built by ``bootstrap``)."""

from dataclasses import dataclass

from ..ports import CreditSource
from .sending import SendingDeps


@dataclass(frozen=True)
class Deps:
    sending: SendingDeps
    credit: CreditSource
