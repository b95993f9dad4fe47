"""Alarms about the monitor itself: what is wrong, as pure functions of its state and now.

`[alarms]` turns them on; each is raised once when its condition starts to
hold and cleared once when it stops (the state is kept in the database, so a
restart neither says a raised alarm again nor forgets to clear it):

| alarm                | raised when                                                          | cleared when |
| -------------------- | -------------------------------------------------------------------- | ------------ |
| `no-poll`            | no successful poll for `no_poll_minutes`, in filing hours (06:00–22:00 ET, business days) | a poll succeeds |
| `sec-block`          | the SEC's rate-limit pause is in force (a 403, or a 429)            | the pause ends |
| `feed-silent`        | no new 8-K on the whole market for `feed_silent_minutes`, between 07:00 and 17:30 ET on a business day, while polls succeed | a new 8-K is seen |
| `notifications-dead` | a notification is dead (not dismissed)                              | none is |
| `pending`            | the oldest notification or digest still to be delivered was queued more than `pending_minutes` ago | none is that old |

"The feed has gone silent" reads the newest acceptance time any live source
(the poll, the sweep, full-text search) has shown: EDGAR publishes about 250
8-Ks a business day, so half an hour without one in the working day means the
feed stalled, or our view of it did, even though every poll says "ok". Its 30
minutes must lie inside the window (the earliest it can be raised is 07:30
ET); it says nothing while polls fail (`no-poll` and `sec-block` speak then).

A process that just started gets its thresholds' worth of grace: after a
night down, the last poll and the newest 8-K seen are hours old until the
first poll has run, and saying so would be noise.

A condition is `True` (raise), `False` (clear) or `None` (no verdict: keep the
state, e.g. `no-poll` outside filing hours: a raised alarm stays raised until
a poll succeeds, none is raised at night).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from edgarwatch.calendar import is_business_day
from edgarwatch.filing import EASTERN
from edgarwatch.settings import setting

OPENS = time(6, 0)
CLOSES = time(22, 0)
FEED_WINDOW = (time(7, 0), time(17, 30))
"""When the 8-K feed is never quiet for long on a business day (ET)."""

LABELS: dict[str, str] = {
    "no-poll": "No successful poll",
    "sec-block": "SEC rate-limit block",
    "feed-silent": "The 8-K feed has gone silent",
    "notifications-dead": "Notifications dead",
    "pending": "Notifications waiting too long",
}
"""Every alarm, by name, in the order they are evaluated and shown."""


@dataclass(frozen=True)
class AlarmSettings:
    """[alarms]: which alarms, and the channel they go to.

    [alarms]
    channel = "ops"             # a configured channel; without one, alarms are only logged
    no_poll_minutes = 10        # 0: off
    sec_block = true
    feed_silent_minutes = 30    # 0: off
    notifications_dead = true
    pending_minutes = 30        # 0: off
    """

    channel: str | None = None
    no_poll_minutes: float = setting(10.0, minimum=0)
    sec_block: bool = True
    feed_silent_minutes: float = setting(30.0, minimum=0)
    notifications_dead: bool = True
    pending_minutes: float = setting(30.0, minimum=0)

    def enabled(self, name: str) -> bool:
        return {
            "no-poll": self.no_poll_minutes > 0,
            "sec-block": self.sec_block,
            "feed-silent": self.feed_silent_minutes > 0,
            "notifications-dead": self.notifications_dead,
            "pending": self.pending_minutes > 0,
        }[name]


@dataclass(frozen=True)
class Health:
    """What the conditions read: the monitor's state at `now`."""

    now: datetime
    started_at: datetime
    """When this process started (its grace period counts from then)."""
    last_poll_ok: datetime | None = None
    sec_blocked_until: datetime | None = None
    sec_block_reason: str = ""
    newest_acceptance: datetime | None = None
    """The newest acceptance time a live source has shown."""
    dead: Sequence[tuple[str, int, str]] = ()
    """(channel, how many, last error) of dead notifications."""
    oldest_pending: datetime | None = None
    poll_status: str = ""


@dataclass(frozen=True)
class Condition:
    """One alarm's verdict: raise (True), clear (False) or keep (None), and what to say."""

    name: str
    active: bool | None
    detail: str

    @property
    def label(self) -> str:
        return LABELS[self.name]


def in_filing_hours(moment: datetime) -> bool:
    local = moment.astimezone(EASTERN)
    return is_business_day(local.date()) and OPENS <= local.time() < CLOSES


def in_feed_window(moment: datetime) -> bool:
    local = moment.astimezone(EASTERN)
    start, end = FEED_WINDOW
    return is_business_day(local.date()) and start <= local.time() < end


def conditions(health: Health, settings: AlarmSettings) -> list[Condition]:
    """Every enabled alarm's verdict at `health.now`."""
    checks = {
        "no-poll": no_poll,
        "sec-block": sec_block,
        "feed-silent": feed_silent,
        "notifications-dead": notifications_dead,
        "pending": pending,
    }
    return [checks[name](health, settings) for name in LABELS if settings.enabled(name)]


def no_poll(health: Health, settings: AlarmSettings) -> Condition:
    now, limit = health.now, timedelta(minutes=settings.no_poll_minutes)
    if health.last_poll_ok is not None and now - health.last_poll_ok <= limit:
        return Condition(
            "no-poll", False, f"Polling again: a poll succeeded at {et(health.last_poll_ok)}."
        )
    last = max(filter(None, (health.last_poll_ok, health.started_at)))
    if now - last <= limit or not in_filing_hours(now):
        return Condition("no-poll", None, "")  # a fresh start's grace; or not filing hours
    since = f"since {et(health.last_poll_ok)}" if health.last_poll_ok else "since this start"
    detail = (
        f"No successful poll of EDGAR for {minutes(now - last)} ({since}), in filing hours: "
        "new filings are not being found."
    )
    if health.poll_status:
        detail += f" Last poll: {health.poll_status}"
    return Condition("no-poll", True, detail)


def sec_block(health: Health, settings: AlarmSettings) -> Condition:
    until = health.sec_blocked_until
    if until is None or until <= health.now:
        when = f" at {et(until)}" if until else ""
        return Condition(
            "sec-block", False, f"The SEC pause ended{when}: requests to EDGAR resume."
        )
    reason = f" ({health.sec_block_reason})" if health.sec_block_reason else ""
    return Condition(
        "sec-block",
        True,
        f"The SEC refused our requests{reason}: all SEC traffic is paused until {et(until)}. "
        "Nothing new is found meanwhile; check that no other program on this host or network "
        "reads EDGAR under the same identity.",
    )


def feed_silent(health: Health, settings: AlarmSettings) -> Condition:
    now, limit = health.now, timedelta(minutes=settings.feed_silent_minutes)
    newest = health.newest_acceptance
    if newest is not None and now - newest < limit:
        return Condition(
            "feed-silent", False, f"New 8-Ks again: the newest was accepted at {et(newest)}."
        )
    polling = health.last_poll_ok is not None and now - health.last_poll_ok <= limit
    if not in_feed_window(now) or not polling:
        return Condition("feed-silent", None, "")
    opened = datetime.combine(now.astimezone(EASTERN).date(), FEED_WINDOW[0], EASTERN)
    quiet_since = max(filter(None, (newest, opened, health.started_at)))
    if now - quiet_since < limit:
        return Condition("feed-silent", None, "")
    last = f"the newest 8-K seen was accepted at {et(newest)}" if newest else "no 8-K seen yet"
    return Condition(
        "feed-silent",
        True,
        f"No new 8-K on EDGAR's feed for {minutes(now - quiet_since)} on a business day "
        f"({last}), while polls succeed: EDGAR's feed may have stalled.",
    )


def notifications_dead(health: Health, settings: AlarmSettings) -> Condition:
    if not health.dead:
        return Condition("notifications-dead", False, "No dead notification is left.")
    total = sum(count for _, count, _ in health.dead)
    parts = [
        f"{channel}: {count} ({error})" if error else f"{channel}: {count}"
        for channel, count, error in health.dead
    ]
    return Condition(
        "notifications-dead",
        True,
        f"{total} notification{'s are' if total != 1 else ' is'} dead — "
        + "; ".join(parts)
        + ". See `edgarwatch notifications --status dead`, then retry or dismiss them.",
    )


def pending(health: Health, settings: AlarmSettings) -> Condition:
    oldest = health.oldest_pending
    if oldest is None or health.now - oldest <= timedelta(minutes=settings.pending_minutes):
        return Condition("pending", False, "Nothing waits to be delivered for long.")
    return Condition(
        "pending",
        True,
        f"The oldest notification still to be delivered was queued {minutes(health.now - oldest)} "
        f"ago ({et(oldest)}): a channel is slow, refusing or down. "
        "See `edgarwatch status` and `edgarwatch notifications --status pending`.",
    )


def et(moment: datetime) -> str:
    """`2026-03-10 14:32 ET`."""
    return f"{moment.astimezone(EASTERN):%Y-%m-%d %H:%M} ET"


def minutes(span: timedelta) -> str:
    seconds = span.total_seconds()
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


__all__ = [
    "LABELS",
    "AlarmSettings",
    "Condition",
    "Health",
    "conditions",
    "feed_silent",
    "in_feed_window",
    "in_filing_hours",
    "no_poll",
    "notifications_dead",
    "pending",
    "sec_block",
]
