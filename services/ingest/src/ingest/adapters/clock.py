from datetime import date, datetime
from zoneinfo import ZoneInfo

_UK = ZoneInfo("Europe/London")


class UkClock:
    def today(self) -> date:
        return datetime.now(_UK).date()
