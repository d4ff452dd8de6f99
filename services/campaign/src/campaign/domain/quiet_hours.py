"""Quiet hours: when an organisation's SMS must not be released (pure: the caller gives "now").

A text arriving at night, on a Sunday or on a bank holiday reaches patients when the practice
cannot answer the phone. The window is read in the practice's own time (Europe/London, so the
clocks changing moves nothing), and the bank holidays are England and Wales's from the
``holidays`` library, which is kept up to date (substitute days and one-off holidays included),
rather than a list someone must remember to extend."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
_WINDOW = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
#: A quiet spell never lasts longer than a long weekend of bank holidays; the search for its
#: end stops well past that, so a window with no end (misconfigured) cannot loop forever.
_MAX_STEPS = 64


@lru_cache(maxsize=8)
def _bank_holidays(year: int) -> frozenset[date]:
    # England ("ENG") and Wales share their bank holidays.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays(day.year)


def _parse_window(text: str) -> tuple[time, time]:
    match = _WINDOW.match(text.strip())
    if match is None:
        raise ValueError(f"quiet hours must look like 20:00-08:00, not {text!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if (h1, m1) == (h2, m2):
        raise ValueError("quiet hours must start and end at different times")
    return time(h1, m1), time(h2, m2)


@dataclass(frozen=True)
class QuietHours:
    """Quiet from ``start`` to ``end`` every day (across midnight when ``end`` is earlier), and
    all day on Sundays and bank holidays when those are set."""

    start: time = time(20, 0)
    end: time = time(8, 0)
    sundays: bool = True
    bank_holidays: bool = True

    @classmethod
    def parse(
        cls, window: str, *, sundays: bool = True, bank_holidays: bool = True
    ) -> "QuietHours":
        start, end = _parse_window(window)
        return cls(start, end, sundays, bank_holidays)

    def _quiet_day(self, day: date) -> bool:
        return (self.sundays and day.weekday() == 6) or (
            self.bank_holidays and is_bank_holiday(day)
        )

    def _in_window(self, t: time) -> bool:
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end

    def quiet_at(self, now: datetime) -> bool:
        local = now.astimezone(LONDON)
        return self._quiet_day(local.date()) or self._in_window(local.time())

    def ends_after(self, now: datetime) -> datetime:
        """The first moment at or after ``now`` (aware) that is not quiet, in UTC."""
        local = now.astimezone(LONDON)
        for _ in range(_MAX_STEPS):
            if self._quiet_day(local.date()):
                next_day = local.date() + timedelta(days=1)
                local = datetime.combine(next_day, time(0, 0), LONDON)
            elif self._in_window(local.time()):
                day = local.date()
                if self.start >= self.end and local.time() >= self.start:
                    day += timedelta(days=1)  # the window runs past midnight
                local = datetime.combine(day, self.end, LONDON)
            else:
                return local.astimezone(UTC)
        raise ValueError("quiet hours never end")


def quiet_until(quiet: QuietHours | None, now: datetime) -> datetime | None:
    """When the quiet spell in force at ``now`` ends, or None if SMS may go now."""
    if quiet is None or not quiet.quiet_at(now):
        return None
    return quiet.ends_after(now)
