"""Filing hours, EDGAR's morning release, and the triggers that follow them.

EDGAR accepts filings 06:00–22:00 ET on business days (EDGAR Filer Manual,
Vol. I §3.2). 8-Ks accepted after 17:30 ET are not posted that evening: they
appear the next business day from about 06:00 ET (some agents say 07:30) at
their *evening* acceptance time, below entries accepted that morning
(EDGAR.md, "Filing hours"). Forms 3/4/5 are posted at once until 22:00.

So each job has a cadence — how many seconds until its next run at a given
moment, or None for "not before the next opening":

| job        | filing hours               | morning release (06:00–08:00 ET) | otherwise          |
| ---------- | -------------------------- | -------------------------------- | ------------------ |
| poll       | `poll.interval_seconds`    | the same                         | `off_hours_interval_seconds` |
| sweep      | `poll.sweep_seconds`       | `poll.morning_sweep_seconds`     | —                  |
| efts       | `poll.efts_seconds`        | the same                         | —                  |

Everything is computed in America/New_York, so the windows follow DST. The
cadences are pure functions of a moment, so the benchmarks can run the daemon
on a simulated clock and the scheduler on the real one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from apscheduler.triggers.base import BaseTrigger

from edgarwatch.calendar import federal_holidays as federal_holidays  # re-exported
from edgarwatch.calendar import is_business_day as is_business_day  # re-exported
from edgarwatch.calendar import next_business_day, previous_business_day
from edgarwatch.filing import EASTERN

OPENS = time(6, 0)
CLOSES = time(22, 0)
RELEASE_ENDS = time(8, 0)
"""The morning release of held 8-Ks: from 06:00 to 07:30 by filing agents' accounts."""
AFTER_HOURS = time(17, 30)
"""8-Ks accepted after this are held to the next business day's release."""
HELD_HORIZON = time(17, 0)
"""The morning sweep reads back to the previous business day's 17:00 (the edge is fuzzy:
8-Ks accepted 17:30:03–17:31:08 were seen with the same-day date; EDGAR.md)."""

Cadence = Callable[[datetime], float | None]


def in_filing_hours(moment: datetime) -> bool:
    local = moment.astimezone(EASTERN)
    return is_business_day(local.date()) and OPENS <= local.time() < CLOSES


def in_morning_release(moment: datetime) -> bool:
    local = moment.astimezone(EASTERN)
    return is_business_day(local.date()) and OPENS <= local.time() < RELEASE_ENDS


def next_opening(moment: datetime) -> datetime:
    """The next 06:00 ET of a business day after `moment`."""
    local = moment.astimezone(EASTERN)
    day = local.date()
    while True:
        opening = datetime.combine(day, OPENS, EASTERN)
        if opening > local and is_business_day(day):
            return opening
        day += timedelta(days=1)


def morning_horizon(moment: datetime) -> datetime:
    """How far back the morning sweep reads: the previous business day's 17:00 ET."""
    day = moment.astimezone(EASTERN).date()
    return datetime.combine(previous_business_day(day), HELD_HORIZON, EASTERN)


def public_moment(form: str, accepted_at: datetime) -> datetime:
    """When a filing accepted at `accepted_at` was first posted: at once, except an 8-K
    accepted after 17:30 ET or on a closed day, held to the next business day's 06:00."""
    local = accepted_at.astimezone(EASTERN)
    if not form.upper().startswith("8-K"):
        return accepted_at
    day = local.date()
    if is_business_day(day) and OPENS <= local.time() <= AFTER_HOURS:
        return accepted_at
    if is_business_day(day) and local.time() < OPENS:
        return datetime.combine(day, OPENS, EASTERN)
    return datetime.combine(next_business_day(day), OPENS, EASTERN)


def cadence(
    filing_hours: float | None, morning: float | None = None, off_hours: float | None = None
) -> Cadence:
    """A job's cadence: seconds to its next run at a moment (see the module's table)."""

    def period(moment: datetime) -> float | None:
        if morning is not None and in_morning_release(moment):
            return morning
        if in_filing_hours(moment):
            return filing_hours
        return off_hours

    return period


class CadenceTrigger(BaseTrigger):  # type: ignore[misc]
    """Fire by a cadence: every period it gives, or at the next opening of filing hours
    when it gives None (and at that opening anyway, if it comes sooner)."""

    def __init__(self, period: Cadence, *, immediately: bool = True) -> None:
        self.period = period
        self.immediately = immediately

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        if previous_fire_time is None and self.immediately:
            return now
        base = now if previous_fire_time is None else previous_fire_time
        seconds = self.period(base)
        opening = next_opening(base)
        if seconds is None:
            return opening.astimezone(now.tzinfo or EASTERN)
        base = max(base, now - timedelta(seconds=seconds))
        return min(base + timedelta(seconds=seconds), opening).astimezone(now.tzinfo or EASTERN)

    def __str__(self) -> str:
        return "cadence[filing hours, morning release, off hours]"

    def __getstate__(self) -> dict[str, Any]:
        raise TypeError("a cadence trigger lives in memory only (its cadence is a function)")


class FilingHoursTrigger(CadenceTrigger):
    """The poll's trigger: every `interval` seconds in filing hours, every `off_hours`
    otherwise, and at the opening of filing hours if that comes sooner."""

    def __init__(self, interval: float, off_hours: float) -> None:
        super().__init__(cadence(interval, None, off_hours))
        self.interval = timedelta(seconds=interval)
        self.off_hours = timedelta(seconds=off_hours)

    def __str__(self) -> str:
        return (
            f"filing-hours[{self.interval.total_seconds():g}s, "
            f"off hours {self.off_hours.total_seconds():g}s]"
        )


def current_interval(interval: float, off_hours: float, now: datetime) -> float:
    """The poll interval in force at `now` (for health: "3 intervals without a poll")."""
    return interval if in_filing_hours(now) else off_hours
