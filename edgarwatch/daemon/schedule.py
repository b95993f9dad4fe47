"""Filing hours, and the poll trigger that follows them.

EDGAR accepts filings 06:00–22:00 ET on business days (EDGAR Filer Manual,
Vol. I §3.2; filings after 17:30 are dated the next business day but still
disseminated at once, so the evening matters). Outside those hours nothing
new appears, so the poll slows to `poll.off_hours_interval_seconds`.
Everything is computed in America/New_York, so the window follows DST.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from apscheduler.triggers.base import BaseTrigger

from edgarwatch.calendar import federal_holidays as federal_holidays  # re-exported
from edgarwatch.calendar import is_business_day as is_business_day  # re-exported
from edgarwatch.filing import EASTERN

OPENS = time(6, 0)
CLOSES = time(22, 0)


def in_filing_hours(moment: datetime) -> bool:
    local = moment.astimezone(EASTERN)
    return is_business_day(local.date()) and OPENS <= local.time() < CLOSES


def next_opening(moment: datetime) -> datetime:
    """The next 06:00 ET of a business day after `moment`."""
    local = moment.astimezone(EASTERN)
    day = local.date()
    while True:
        opening = datetime.combine(day, OPENS, EASTERN)
        if opening > local and is_business_day(day):
            return opening
        day += timedelta(days=1)


class FilingHoursTrigger(BaseTrigger):  # type: ignore[misc]
    """Fire every `interval` seconds in filing hours, every `off_hours` otherwise,
    and at the opening of filing hours if that comes sooner."""

    def __init__(self, interval: float, off_hours: float) -> None:
        self.interval = timedelta(seconds=interval)
        self.off_hours = timedelta(seconds=off_hours)

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        if previous_fire_time is None:
            return now
        base = max(previous_fire_time, now - self.interval)
        if in_filing_hours(base):
            return base + self.interval
        candidate = base + self.off_hours
        opening = next_opening(base)
        return min(candidate, opening).astimezone(now.tzinfo or EASTERN)

    def __str__(self) -> str:
        return (
            f"filing-hours[{int(self.interval.total_seconds())}s, "
            f"off hours {int(self.off_hours.total_seconds())}s]"
        )

    def __getstate__(self) -> dict[str, Any]:
        return {"interval": self.interval, "off_hours": self.off_hours}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.interval = state["interval"]
        self.off_hours = state["off_hours"]


def current_interval(interval: float, off_hours: float, now: datetime) -> float:
    """The poll interval in force at `now` (for health: "3 intervals without a poll")."""
    return interval if in_filing_hours(now) else off_hours
