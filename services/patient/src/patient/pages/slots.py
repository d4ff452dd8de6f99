"""Free slots grouped by day, in UK time, as patients read them."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ..api_views import Slot

UK = ZoneInfo("Europe/London")


def time_text(moment: datetime) -> str:
    """9:20am, 2pm."""
    local = moment.astimezone(UK)
    hour = local.strftime("%I").lstrip("0")
    minutes = "" if local.minute == 0 else f":{local:%M}"
    return f"{hour}{minutes}{local:%p}".lower()


def day_text(day: date) -> str:
    """Tuesday 8 December 2026."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def when_text(moment: datetime) -> str:
    local = moment.astimezone(UK)
    return f"{day_text(local.date())} at {time_text(moment)}"


@dataclass(frozen=True)
class Day:
    day: date
    slots: list[Slot]

    @property
    def text(self) -> str:
        return day_text(self.day)

    @property
    def count_text(self) -> str:
        n = len(self.slots)
        return f"{n} time{'s' if n != 1 else ''} available"


def by_day(slots: list[Slot]) -> list[Day]:
    days: dict[date, list[Slot]] = {}
    for slot in sorted(slots, key=lambda s: s.start):
        days.setdefault(slot.start.astimezone(UK).date(), []).append(slot)
    return [Day(day, found) for day, found in days.items()]
