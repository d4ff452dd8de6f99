from dataclasses import dataclass
from datetime import datetime, timedelta

from .builders import DELIVERED_AT


@dataclass
class Clock:
    now: datetime = DELIVERED_AT + timedelta(minutes=1)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
