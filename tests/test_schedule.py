"""Filing hours in America/New_York, holidays, and the poll trigger across DST."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from edgarwatch.daemon.schedule import (
    FilingHoursTrigger,
    federal_holidays,
    in_filing_hours,
    is_business_day,
)
from edgarwatch.filing import EASTERN


def et(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=EASTERN)


def test_filing_hours_are_six_to_ten_eastern_on_business_days() -> None:
    assert in_filing_hours(et(2026, 11, 20, 6, 0))
    assert in_filing_hours(
        et(2026, 11, 20, 17, 45)
    )  # after 17:30: dated the next day; 8-Ks held to its morning, other forms posted
    assert not in_filing_hours(et(2026, 11, 20, 22, 0))
    assert not in_filing_hours(et(2026, 11, 20, 5, 59))
    assert not in_filing_hours(et(2026, 11, 21, 12, 0))  # Saturday
    assert not in_filing_hours(et(2026, 11, 26, 12, 0))  # Thanksgiving


def test_it_knows_the_federal_holidays_with_observed_days() -> None:
    holidays = federal_holidays(2026)
    assert date(2026, 7, 3) in holidays  # July 4 is a Saturday: observed Friday
    assert date(2026, 6, 19) in holidays
    assert date(2026, 1, 19) in holidays
    assert not is_business_day(date(2027, 12, 24))  # Christmas 2027 is a Saturday
    assert is_business_day(date(2026, 11, 23))


def test_the_trigger_polls_fast_in_hours_and_slowly_outside() -> None:
    trigger = FilingHoursTrigger(30, 300)
    noon = et(2026, 11, 20, 12, 0)
    assert trigger.get_next_fire_time(noon, noon) == noon + timedelta(seconds=30)
    night = et(2026, 11, 20, 23, 0)
    assert trigger.get_next_fire_time(night, night) == night + timedelta(seconds=300)
    before_opening = et(2026, 11, 23, 5, 58)
    assert trigger.get_next_fire_time(before_opening, before_opening) == et(2026, 11, 23, 6, 0)


def test_the_trigger_follows_eastern_time_across_dst() -> None:
    trigger = FilingHoursTrigger(30, 300)
    # 2026-03-09 is the Monday after DST began: 06:00 EDT is 10:00 UTC, not 11:00.
    sunday_night = et(2026, 3, 8, 23, 0)
    fire: datetime | None = sunday_night
    for _ in range(200):
        assert fire is not None
        fire = trigger.get_next_fire_time(fire, fire)
        assert fire is not None
        if in_filing_hours(fire):
            break
    assert fire is not None
    assert fire.astimezone(EASTERN).hour == 6
    assert fire.utcoffset() == timedelta(hours=-4)
    # In November (EST) the same opening is 11:00 UTC.
    opening = trigger.get_next_fire_time(et(2026, 11, 23, 5, 59), et(2026, 11, 23, 5, 59))
    assert opening is not None
    assert opening.utcoffset() == timedelta(hours=-5)
    assert opening.hour == 6


def test_the_sweep_runs_often_in_the_morning_release_and_not_at_night() -> None:
    from edgarwatch.daemon.schedule import CadenceTrigger, cadence

    trigger = CadenceTrigger(cadence(120, 5))
    release = et(2026, 3, 11, 6, 30)
    assert trigger.get_next_fire_time(release, release) == release + timedelta(seconds=5)
    noon = et(2026, 3, 11, 12, 0)
    assert trigger.get_next_fire_time(noon, noon) == noon + timedelta(seconds=120)
    night = et(2026, 3, 11, 23, 0)
    assert trigger.get_next_fire_time(night, night) == et(2026, 3, 12, 6, 0)
    friday = et(2026, 3, 13, 22, 30)  # the next sweep is Monday's release
    assert trigger.get_next_fire_time(friday, friday) == et(2026, 3, 16, 6, 0)


def test_an_8ks_public_moment_is_the_next_release_when_accepted_after_hours() -> None:
    from edgarwatch.daemon.schedule import public_moment

    assert public_moment("8-K", et(2026, 3, 10, 16, 0)) == et(2026, 3, 10, 16, 0)
    assert public_moment("8-K", et(2026, 3, 10, 18, 5)) == et(2026, 3, 11, 6, 0)
    assert public_moment("8-K/A", et(2026, 3, 13, 18, 5)) == et(2026, 3, 16, 6, 0)
    assert public_moment("4", et(2026, 3, 10, 18, 5)) == et(2026, 3, 10, 18, 5)
