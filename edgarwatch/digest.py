"""The daily digest's schedule: when each channel's digest is due, in Eastern time.

`[[digest]]` names a channel and an Eastern time of day (default 07:00): once
a day, at that time, the channel gets one message listing every filing of
the watched companies recorded since its previous digest (`notify = 'news'`:
what the daemon first saw as it was published, never the baseline or a
back-fill), all items, grouped by company, with each agreement's headline.

The schedule is a pure function of the time of day, the last digest and now:

* the digest of a day is due at `time` ET that day, whatever the offset
  (07:00 ET is 12:00 UTC in winter, 11:00 UTC in summer: `due_moment`
  combines the date and the time in America/New_York);
* `plan` answers, at any moment, whether a digest is owed: the latest due
  moment at or before now (`last_due`), if it is later than the last digest's.
  A daemon that was down at 07:00 owes it at start — once: after several
  missed days, one digest covers the whole gap (its message says so), because
  what a reader wants after an outage is one list, not a pile of old ones;
* the first evaluation of a channel that never had a digest only marks where
  its digests start: the first digest is the next due moment's, covering what
  was recorded since (a digest configured at 10:00 does not announce the
  morning's news at once as "today's 07:00 digest").

Exactly once per day is the storage's (`storage/messages.py`): one row per
(channel, day), written with its message in one transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as TimeOfDay
from typing import Literal

from edgarwatch.filing import EASTERN
from edgarwatch.settings import setting

_CLOCK_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")

DigestScope = Literal["all", "notified"]


def clock_time(value: str) -> str:
    """`HH:MM` on a 24-hour clock, Eastern time: `07:00`, `17:45`."""
    match = _CLOCK_RE.match(value.strip())
    if not match:
        raise ValueError(f"{value!r} is not a time of day like '07:00' (24-hour, Eastern)")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


@dataclass(frozen=True)
class DigestSettings:
    """[[digest]]: one channel's daily digest.

    [[digest]]
    channel = "deal-team"    # a configured channel
    time = "07:00"           # Eastern (America/New_York), 24-hour clock
    send_empty = false       # true: a "nothing new" digest on quiet days too
    scope = "all"            # "all": every filing of the watched companies;
                             # "notified": only those that notified someone
    """

    channel: str = setting(required="the channel the digest goes to")
    time: str = setting("07:00", convert=clock_time)
    send_empty: bool = False
    scope: DigestScope = setting("all", case="lower")

    @property
    def at(self) -> TimeOfDay:
        hours, minutes = self.time.split(":")
        return TimeOfDay(int(hours), int(minutes))


def due_moment(day: date, at: TimeOfDay) -> datetime:
    """`at` ET on `day`, as an aware UTC time (a time in the spring-forward gap, 02:30,
    comes out as the instant the clock shows 03:30 EDT)."""
    return datetime.combine(day, at, EASTERN).astimezone(UTC)


def last_due(at: TimeOfDay, now: datetime) -> datetime:
    """The latest moment at or before `now` that is `at` ET."""
    today = now.astimezone(EASTERN).date()
    moment = due_moment(today, at)
    return moment if moment <= now else due_moment(today - timedelta(days=1), at)


def next_due(at: TimeOfDay, now: datetime) -> datetime:
    """The first moment after `now` that is `at` ET."""
    today = now.astimezone(EASTERN).date()
    moment = due_moment(today, at)
    return moment if moment > now else due_moment(today + timedelta(days=1), at)


def eastern_day(moment: datetime) -> date:
    return moment.astimezone(EASTERN).date()


@dataclass(frozen=True)
class DigestPlan:
    """A digest owed now: the day it is for, its due moment, the previous one's."""

    day: date
    due_at: datetime
    since: datetime | None
    """The previous digest's due moment (None: this is where the channel's digests start)."""

    @property
    def first(self) -> bool:
        return self.since is None

    @property
    def missed_days(self) -> list[date]:
        """Days between the previous digest and this one whose digest was never made
        (the daemon was down when it was due)."""
        if self.since is None:
            return []
        days, day = [], eastern_day(self.since) + timedelta(days=1)
        while day < self.day:
            days.append(day)
            day += timedelta(days=1)
        return days


def plan(at: TimeOfDay, now: datetime, last_due_at: datetime | None) -> DigestPlan | None:
    """The digest owed at `now` given the last one's due moment, or None (see the module)."""
    due = last_due(at, now)
    if last_due_at is not None and due <= last_due_at:
        return None
    return DigestPlan(eastern_day(due), due, last_due_at)


__all__ = [
    "DigestPlan",
    "DigestScope",
    "DigestSettings",
    "clock_time",
    "due_moment",
    "eastern_day",
    "last_due",
    "next_due",
    "plan",
]
