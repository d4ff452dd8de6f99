"""How the pages write values: times in UK time, counts, money, mobile and NHS numbers, as
the NHS.UK content style guide has them. Filters in the templates; pages use them too."""

from datetime import datetime
from zoneinfo import ZoneInfo

from cohort_nhs import national_mobile

LONDON = ZoneInfo("Europe/London")


def when(value: datetime | None) -> str:
    """NHS style, UK time: 6 December 2026 at 5:02pm."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    hour = local.strftime("%I").lstrip("0")
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{local:%p}".replace("AM", "am").replace(
        "PM", "pm"
    )


def number(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def pounds(pence: int) -> str:
    """ "£0.09", "£1,234.50"."""
    return f"£{pence // 100:,}.{pence % 100:02d}"


def counted(count: int, noun: str) -> str:
    """ "1 row", "1,250 rows": a count and its noun, plural but for one."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def patients(count: int) -> str:
    """ "1 patient", "1,250 patients"."""
    return counted(count, "patient")


def nhs_number(value: str) -> str:
    """NHS style: 943 476 5919."""
    return f"{value[:3]} {value[3:6]} {value[6:]}" if len(value) == 10 else value


def contact(value: str) -> str:
    """A UK mobile as people write it (447700900123 -> 07700 900123); an email as it is."""
    return national_mobile(value) or value
