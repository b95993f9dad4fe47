"""The digest and alarm jobs: plain methods over a runtime, run every 30 s by the daemon.

`Monitor.digests()` queues each `[[digest]]` channel's digest when one is owed
(`edgarwatch.digest.plan`, on the runtime's clock, in Eastern time):

* the first evaluation of a channel only marks where its digests start;
* at start-up after downtime it waits for the first catch-up (so what arrived
  while the daemon was down is in the digest it owes), at most
  `SETTLE_SECONDS`; at the due time it waits, at most `READ_GRACE`, for news
  recorded before then to be read (so its items and headline are known);
* the digest lists the news of watched companies recorded since the previous
  digest's cut-off and in no digest of that channel yet; its row, its filings
  and its message are written in one transaction keyed (channel, day).

`Monitor.alarms()` evaluates `[alarms]` (`edgarwatch.alarms.conditions`, pure)
over what the database says and raises or clears each alarm once, its
message queued in the same transaction as its new state. Every raise is also
logged at error level and every clearing at warning level: an alarm about the
alarm channel itself (its notifications dead, say) may never arrive there, so
the journal is its second way out, and `edgarwatch status` lists what is raised.

Both wake the dispatcher's worker of the channel they queued for; delivery is
the outbox's (at least once, paced, retried).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from edgarwatch.alarms import LABELS, AlarmSettings, Condition, Health, conditions, et
from edgarwatch.daemon.runtime import Runtime
from edgarwatch.digest import DigestPlan, DigestSettings, next_due, plan
from edgarwatch.notifiers.alarm import alarm_key, alarm_message
from edgarwatch.notifiers.digest import digest_message
from edgarwatch.storage import AlarmState, Outgoing, StorageError
from edgarwatch.storage.messages import CUT_OFF_MARGIN, DigestRecord
from edgarwatch.storage.timefmt import utc_now

logger = logging.getLogger(__name__)

SETTLE_SECONDS = 600.0
"""At start-up, a digest owed waits for the first catch-up at most this long."""
READ_GRACE = timedelta(minutes=5)
"""A digest waits at most this long after its due time for news still being read."""


class Monitor:
    """The digest and alarm jobs over one runtime (see the module docstring)."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        on_queued: Callable[[Iterable[str]], None] = lambda channels: None,
        catch_up_first: bool = True,
    ) -> None:
        self.runtime = runtime
        self.on_queued = on_queued
        self.catch_up_first = catch_up_first
        self.started_at = runtime.clock()

    # -- digests -------------------------------------------------------------
    def digests(self) -> list[str]:
        """Queue every digest owed now; returns the channels that got one."""
        queued = []
        for digest in self.runtime.settings.digests:
            try:
                if self.digest(digest):
                    queued.append(digest.channel)
            except StorageError:
                logger.exception("the digest of %s could not be made; trying again", digest.channel)
        if queued:
            self.on_queued(queued)
        return queued

    def digest(self, settings: DigestSettings) -> bool:
        """Make one channel's digest if it is owed; True when a message was queued."""
        rt, channel = self.runtime, settings.channel
        now = rt.clock()
        last = rt.storage.digests.last(channel)
        owed = plan(settings.at, now, last.due_at if last else None)
        if owed is None:
            return False
        if owed.first or last is None:
            self._start(settings, owed, now)
            return False
        if rt.storage.digests.of_day(channel, owed.day) is not None:
            return False  # made already that day (its time was changed since)
        if not self._settled(now, owed.due_at):
            return False
        return self._make(settings, owed, last)

    def _start(self, settings: DigestSettings, owed: DigestPlan, now: datetime) -> None:
        """The first evaluation of a channel: mark where its digests begin."""
        channel = settings.channel
        self.runtime.storage.digests.create(
            channel, day=owed.day, due_at=owed.due_at, since=now, outcome="start",
            accessions=(), message=None,
        )  # fmt: skip
        logger.info(
            "digests of %s start now: the first is due %s",
            channel,
            et(next_due(settings.at, now)),
        )

    def _make(self, settings: DigestSettings, owed: DigestPlan, last: DigestRecord) -> bool:
        """Write the digest owed (its row, filings and message in one transaction);
        True when a message was queued."""
        rt, channel = self.runtime, settings.channel
        recorded_since = last.created_at - CUT_OFF_MARGIN
        filings, total = rt.storage.digests.candidates(
            channel,
            recorded_since=recorded_since,
            everyone=rt.watchlist.everyone,
            notified_only=settings.scope == "notified",
        )
        message = digest_message(
            filings,
            total=total,
            channel=channel,
            plan=owed,
            since=last.since if last.outcome == "start" and last.since else last.due_at,
            send_empty=settings.send_empty,
            scope=settings.scope,
        )
        outgoing = None
        if message is not None:
            outgoing = Outgoing(
                f"digest:{owed.day.isoformat()}", "digest", message.title, message.to_json()
            )
        created = rt.storage.digests.create(
            channel,
            day=owed.day,
            due_at=owed.due_at,
            since=owed.since,
            outcome="queued" if outgoing else "empty",
            accessions=[f.accession for f in filings],
            message=outgoing,
        )
        if created:
            logger.info(
                "digest of %s for %s: %d filing(s)%s",
                channel,
                owed.day.isoformat(),
                total,
                " queued" if outgoing else ", nothing to send",
            )
        return created and outgoing is not None

    def _settled(self, now: datetime, due_at: datetime) -> bool:
        """Whether a digest owed may be made now: after the first catch-up of this start
        (or SETTLE_SECONDS), and once news recorded before now is read (or READ_GRACE)."""
        storage = self.runtime.storage
        if self.catch_up_first and (now - self.started_at).total_seconds() < SETTLE_SECONDS:
            caught_up = storage.state.last_catch_up()
            if caught_up is None or caught_up < self.started_at:
                return False
        unread = storage.filings.overdue_notifiable(utc_now())
        return not unread or now - due_at >= READ_GRACE

    # -- alarms --------------------------------------------------------------
    def alarms(self) -> list[Condition]:
        """Raise or clear each alarm whose condition changed; returns what changed."""
        settings = self.runtime.settings.alarms
        if settings is None:
            return []
        now = self.runtime.clock()
        states = self.runtime.storage.alarms.states()
        changed = []
        for condition in conditions(self.health(now), settings):
            state = states.get(condition.name)
            if condition.active and not (state and state.raised):
                done = self._raise(condition, settings, now)
            elif condition.active is False and state is not None and state.raised:
                done = self._clear(condition, state, settings, now)
            else:
                continue
            if done:
                changed.append(condition)
        for name, state in states.items():
            if state.raised and not settings.enabled(name):  # turned off while raised
                self.runtime.storage.alarms.clear_alarm(
                    name, at=now, detail="turned off", channel=None, message=None
                )
        channel = self._channel(settings)
        if changed and channel:
            self.on_queued([channel])
        return changed

    def health(self, now: datetime) -> Health:
        storage = self.runtime.storage
        block = storage.state.sec_block()
        return Health(
            now=now,
            started_at=self.started_at,
            last_poll_ok=storage.state.last_poll_ok(),
            sec_blocked_until=block.until if block else None,
            sec_block_reason=block.reason if block else "",
            newest_acceptance=storage.alarms.newest_live_acceptance(),
            dead=storage.alarms.dead(),
            oldest_pending=storage.alarms.oldest_pending(),
            poll_status=storage.state.poll_status() or "",
        )

    def _channel(self, settings: AlarmSettings) -> str | None:
        """The alarm channel, if it is configured and running."""
        channel = settings.channel
        return channel if channel and channel in self.runtime.notifiers else None

    def _raise(self, condition: Condition, settings: AlarmSettings, now: datetime) -> bool:
        channel = self._channel(settings)
        outgoing = None
        if channel:
            message = alarm_message(condition.name, "raised", condition.detail, raised_at=now)
            key = alarm_key(condition.name, "raised", now)
            outgoing = Outgoing(key, "alarm", message.title, message.to_json())
        done = self.runtime.storage.alarms.raise_alarm(
            condition.name, at=now, detail=condition.detail, channel=channel, message=outgoing
        )
        if done:
            logger.error("ALARM raised: %s — %s", condition.label, condition.detail)
            self._warn_about_own_channel(condition, channel)
        return done

    def _clear(
        self, condition: Condition, state: AlarmState, settings: AlarmSettings, now: datetime
    ) -> bool:
        channel = self._channel(settings)
        raised_at = state.raised_at or now
        outgoing = None
        if channel:
            message = alarm_message(
                condition.name, "cleared", condition.detail, raised_at=raised_at, cleared_at=now
            )
            key = alarm_key(condition.name, "cleared", raised_at)
            outgoing = Outgoing(key, "alarm", message.title, message.to_json())
        done = self.runtime.storage.alarms.clear_alarm(
            condition.name, at=now, detail=condition.detail, channel=channel, message=outgoing
        )
        if done:
            logger.warning("alarm cleared: %s — %s", LABELS[condition.name], condition.detail)
        return done

    def _warn_about_own_channel(self, condition: Condition, channel: str | None) -> None:
        """An alarm about the alarm channel itself may never arrive there: say so."""
        if channel is None:
            logger.error(
                "no alarm channel is configured ([alarms] channel): this alarm is only logged"
            )
            return
        dead_here = condition.name == "notifications-dead" and any(
            c == channel for c, _, _ in self.runtime.storage.alarms.dead()
        )
        if dead_here:
            logger.error(
                "the alarm channel %s has dead notifications itself: this alarm may not reach "
                "it; see `edgarwatch status`",
                channel,
            )


__all__ = ["READ_GRACE", "SETTLE_SECONDS", "Monitor"]
