"""Quiet hours in Europe/London: the nightly window, Sundays, bank holidays, clock changes."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from campaign.adapters.organisations_file import OrganisationsFile
from campaign.config import CampaignSettings
from campaign.domain.quiet_hours import QuietHours, is_bank_holiday, quiet_until
from campaign.domain.safety_policy import SafetyPolicy

DEFAULT = QuietHours()


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "quiet"),
    [
        (utc(2026, 1, 14, 12, 0), False),  # a Wednesday midday in winter (GMT)
        (utc(2026, 1, 14, 19, 59), False),
        (utc(2026, 1, 14, 20, 0), True),
        (utc(2026, 1, 15, 7, 59), True),
        (utc(2026, 1, 15, 8, 0), False),
        # Summer time: 19:30 UTC is 20:30 in London, 07:30 UTC is 08:30.
        (utc(2026, 7, 15, 19, 30), True),
        (utc(2026, 7, 16, 7, 30), False),
        (utc(2026, 7, 19, 12, 0), True),  # a Sunday
        (utc(2026, 8, 31, 12, 0), True),  # the late summer bank holiday (a Monday)
        (utc(2026, 12, 28, 12, 0), True),  # Boxing Day, observed
    ],
)
def test_quiet_at(now: datetime, quiet: bool) -> None:
    assert DEFAULT.quiet_at(now) is quiet


def test_bank_holidays_come_from_the_maintained_calendar() -> None:
    assert is_bank_holiday(datetime(2027, 3, 29).date())  # Easter Monday 2027
    assert not is_bank_holiday(datetime(2027, 3, 30).date())


def test_a_friday_evening_is_quiet_until_monday_morning() -> None:
    # Friday 21:00 → Saturday 08:00 (Saturday is not quiet by day).
    assert quiet_until(DEFAULT, utc(2026, 1, 16, 21, 0)) == utc(2026, 1, 17, 8, 0)
    # Saturday 21:00 → through Sunday → Monday 08:00.
    assert quiet_until(DEFAULT, utc(2026, 1, 17, 21, 0)) == utc(2026, 1, 19, 8, 0)


def test_a_bank_holiday_weekend_ends_on_tuesday_morning() -> None:
    # Saturday 29 August 2026, 22:00 BST: Sunday, then the bank holiday Monday.
    assert quiet_until(DEFAULT, utc(2026, 8, 29, 21, 0)) == utc(2026, 9, 1, 7, 0)  # 08:00 BST


def test_not_quiet_means_no_hold() -> None:
    assert quiet_until(DEFAULT, utc(2026, 1, 14, 12, 0)) is None
    assert quiet_until(None, utc(2026, 1, 14, 23, 0)) is None


def test_a_daytime_window_and_days_switched_off() -> None:
    lunch = QuietHours.parse("12:00-13:30", sundays=False, bank_holidays=False)
    assert lunch.quiet_at(utc(2026, 1, 18, 12, 30))  # a Sunday, by its window only
    assert not lunch.quiet_at(utc(2026, 1, 18, 14, 0))
    assert quiet_until(lunch, utc(2026, 1, 14, 12, 0)) == utc(2026, 1, 14, 13, 30)


@pytest.mark.parametrize("bad", ["25:00-08:00", "20:00", "08:00-08:00", "8-20"])
def test_a_malformed_window_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="quiet hours"):
        QuietHours.parse(bad)
    with pytest.raises(ValueError, match="quiet hours"):
        CampaignSettings(quiet_hours=bad)


def test_settings_give_the_default_and_off_turns_it_off() -> None:
    assert CampaignSettings().safety_default().quiet_hours == DEFAULT
    assert CampaignSettings(quiet_hours="off").safety_default().quiet_hours is None


def test_each_organisation_can_set_its_own(tmp_path: Path) -> None:
    path = tmp_path / "organisations.json"
    path.write_text(
        '{"organisations": ['
        '{"ods": "A1", "name": "A", "safety": {"quiet_hours": "off", "approval_above": 100}},'
        '{"ods": "B2", "name": "B", "safety": {"quiet_hours": "19:00-09:00",'
        ' "quiet_sundays": false, "repeat_window_days": 7}},'
        '{"ods": "C3", "name": "C"}]}'
    )
    policies = OrganisationsFile.read(path).safety_policies(SafetyPolicy(approval_above=500))
    assert policies.for_org("A1") == SafetyPolicy(quiet_hours=None, approval_above=100)
    b = policies.for_org("B2")
    assert b.quiet_hours == QuietHours.parse("19:00-09:00", sundays=False)
    assert (b.approval_above, b.repeat_window_days) == (500, 7)
    assert policies.for_org("C3") == SafetyPolicy(approval_above=500)


def test_a_bad_organisation_entry_stops_startup(tmp_path: Path) -> None:
    path = tmp_path / "organisations.json"
    path.write_text('{"organisations": [{"ods": "A1", "name": "A", "safety": {"quiet": 1}}]}')
    with pytest.raises(ValueError, match="quiet"):
        OrganisationsFile.read(path).safety_policies(SafetyPolicy())


def test_the_shipped_organisations_file_loads() -> None:
    path = Path(__file__).parents[4] / "config/organisations.json"
    policies = OrganisationsFile.read(path).safety_policies(CampaignSettings().safety_default())
    assert policies.for_org("B82002").approval_above == 1000
    assert policies.for_org("A81001") == CampaignSettings().safety_default()
