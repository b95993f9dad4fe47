"""Alarms about the monitor itself (issue 12.4): each condition as a pure function across
filing hours, weekends, holidays and DST; each raised once and cleared once, across a
restart, through the alarm channel (a loopback Slack), and logged."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from edgarwatch.alarms import (
    AlarmSettings,
    Health,
    conditions,
    feed_silent,
    no_poll,
    notifications_dead,
    pending,
    sec_block,
)
from edgarwatch.config import ConfigError, from_mapping
from edgarwatch.daemon.cycles import Cycles
from edgarwatch.daemon.monitor import Monitor
from edgarwatch.daemon.runtime import Runtime, build_runtime
from edgarwatch.daemon.status import collect, render_text
from edgarwatch.notifiers.slack import SlackNotifier, SlackSettings
from edgarwatch.replay.clock import ReplayClock, eastern
from edgarwatch.secrets import Secret
from edgarwatch.storage import Outgoing, SecBlock, Storage
from edgarwatch.storage.timefmt import iso
from tests.servers.slack_receiver import NO_SERVICE, SlackReceiver
from tests.support import USER_AGENT, company, eight_k, replay_at, settings_for
from tests.test_dispatch import queue as queue_notifications

ON = AlarmSettings(channel="ops")
IMMUNOGEN = company(855654, "IMMUNOGEN INC")
MARKET = [company(3_000_000 + n, f"FILER {n}") for n in range(5)]


def health(now: str | datetime, **values: Any) -> Health:
    moment = eastern(now)
    values.setdefault("started_at", moment - timedelta(hours=5))
    return Health(now=moment, **values)


def ago(now: str, minutes: float) -> datetime:
    return eastern(now) - timedelta(minutes=minutes)


# --------------------------------------------------------------------------- conditions


def test_no_poll_is_raised_only_in_filing_hours_and_cleared_only_by_a_poll() -> None:
    tuesday = "2026-03-10 10:00"
    assert no_poll(health(tuesday, last_poll_ok=ago(tuesday, 11)), ON).active is True
    assert no_poll(health(tuesday, last_poll_ok=ago(tuesday, 9)), ON).active is False
    assert no_poll(health(tuesday, last_poll_ok=None), ON).active is True
    night = "2026-03-10 23:00"
    assert no_poll(health(night, last_poll_ok=ago(night, 60)), ON).active is None  # kept
    saturday = "2026-03-14 10:00"
    assert no_poll(health(saturday, last_poll_ok=ago(saturday, 60)), ON).active is None
    holiday = "2026-01-19 10:00"  # Martin Luther King Jr. Day
    assert no_poll(health(holiday, last_poll_ok=ago(holiday, 60)), ON).active is None
    fresh = health(tuesday, last_poll_ok=ago(tuesday, 300), started_at=ago(tuesday, 2))
    assert no_poll(fresh, ON).active is None  # a start's grace: neither raised nor cleared
    said = no_poll(health(tuesday, last_poll_ok=ago(tuesday, 14), poll_status="poll failed"), ON)
    assert "No successful poll of EDGAR for 14 min (since 2026-03-10 09:46 ET)" in said.detail
    assert said.detail.endswith("Last poll: poll failed")


def test_filing_hours_follow_eastern_time_across_the_dst_change() -> None:
    # Filing hours open at 06:00 ET: 11:00 UTC before the change, 10:00 UTC after it.
    friday = datetime(2026, 3, 6, 10, 30, tzinfo=UTC)  # 05:30 EST: closed
    monday = datetime(2026, 3, 9, 10, 30, tzinfo=UTC)  # 06:30 EDT: open
    stale = timedelta(minutes=30)
    assert no_poll(health(friday, last_poll_ok=friday - stale), ON).active is None
    assert no_poll(health(monday, last_poll_ok=monday - stale), ON).active is True
    # the feed's window opens at 07:00 ET: 11:00 UTC on the Monday after the change
    quiet = {"newest_acceptance": monday - timedelta(hours=12)}
    seven_forty = datetime(2026, 3, 9, 11, 40, tzinfo=UTC)
    polled = {"last_poll_ok": seven_forty - timedelta(seconds=10)}
    assert feed_silent(health(seven_forty, **quiet, **polled), ON).active is True
    friday_seven_forty = datetime(2026, 3, 6, 11, 40, tzinfo=UTC)  # 06:40 EST: not yet
    quiet = {"newest_acceptance": friday_seven_forty - timedelta(hours=12)}
    polled = {"last_poll_ok": friday_seven_forty - timedelta(seconds=10)}
    assert feed_silent(health(friday_seven_forty, **quiet, **polled), ON).active is None


def test_the_feed_is_silent_after_thirty_minutes_inside_the_business_day_window() -> None:
    def verdict(now: str, newest: datetime | None, polled: float = 0.1, **extra: datetime) -> Any:
        values = {"newest_acceptance": newest, "last_poll_ok": ago(now, polled), **extra}
        return feed_silent(health(now, **values), ON).active

    assert verdict("2026-03-10 10:00", ago("2026-03-10 10:00", 31)) is True
    assert verdict("2026-03-10 10:00", ago("2026-03-10 10:00", 29)) is False  # cleared
    yesterday_evening = eastern("2026-03-09 21:50")
    assert verdict("2026-03-10 07:20", yesterday_evening) is None  # the window opened at 07:00
    assert verdict("2026-03-10 07:31", yesterday_evening) is True
    assert verdict("2026-03-10 17:45", ago("2026-03-10 17:45", 60)) is None  # after 17:30
    assert verdict("2026-03-14 11:00", ago("2026-03-14 11:00", 600)) is None  # Saturday
    assert verdict("2026-01-19 11:00", ago("2026-01-19 11:00", 600)) is None  # holiday
    assert verdict("2026-03-10 10:00", ago("2026-03-10 10:00", 45), polled=40) is None  # polls fail
    fresh = ago("2026-03-10 10:00", 10)
    assert verdict("2026-03-10 10:00", ago("2026-03-10 10:00", 45), started_at=fresh) is None
    assert verdict("2026-03-10 10:00", None) is True
    said = feed_silent(
        health("2026-03-10 10:00", newest_acceptance=ago("2026-03-10 10:00", 42),
               last_poll_ok=ago("2026-03-10 10:00", 0.1)),
        ON,
    )  # fmt: skip
    assert said.detail.startswith("No new 8-K on EDGAR's feed for 42 min on a business day")


def test_sec_block_dead_and_pending() -> None:
    now = "2026-03-10 14:25"
    blocked = health(
        now,
        sec_blocked_until=ago(now, -7),
        sec_block_reason="HTTP 403: Request Rate Threshold Exceeded",
    )
    assert sec_block(blocked, ON).active is True
    assert "paused until 2026-03-10 14:32 ET" in sec_block(blocked, ON).detail
    assert sec_block(health(now, sec_blocked_until=ago(now, 1)), ON).active is False
    assert sec_block(health(now), ON).active is False
    dead = health(
        now, dead=[("deal-team", 2, "Slack answered HTTP 404: no_service"), ("mail", 1, "")]
    )
    verdict = notifications_dead(dead, ON)
    assert verdict.active is True
    assert verdict.detail.startswith("3 notifications are dead — deal-team: 2 (Slack answered")
    assert notifications_dead(health(now), ON).active is False
    assert pending(health(now, oldest_pending=ago(now, 31)), ON).active is True
    assert pending(health(now, oldest_pending=ago(now, 29)), ON).active is False
    assert pending(health(now), ON).active is False


def test_each_alarm_can_be_turned_off() -> None:
    off = AlarmSettings(no_poll_minutes=0, sec_block=False, feed_silent_minutes=0,
                        notifications_dead=False, pending_minutes=0)  # fmt: skip
    assert conditions(health("2026-03-10 10:00"), off) == []
    only = dataclasses.replace(off, sec_block=True)
    assert [c.name for c in conditions(health("2026-03-10 10:00"), only)] == ["sec-block"]


def test_the_alarm_channel_must_be_configured() -> None:
    base: dict[str, Any] = {"edgar": {"user_agent": USER_AGENT}}
    assert from_mapping(base, environ={}).alarms is None
    assert from_mapping({**base, "alarms": {}}, environ={}).alarms == AlarmSettings()
    with pytest.raises(ConfigError) as refused:
        from_mapping({**base, "alarms": {"channel": "ops", "pending_minutes": -1}}, environ={})
    assert refused.value.problems == [  # every problem at once
        "alarms.pending_minutes: must be at least 0, not -1",
        "alarms.channel: no channel named 'ops' (known: none is configured)",
    ]


# --------------------------------------------------------------------------- the job


@contextmanager
def daemon(
    url: str, database: Path, clock: ReplayClock, slack: SlackReceiver, **alarms: Any
) -> Iterator[tuple[Runtime, Cycles, Monitor]]:
    settings = settings_for(url, database, watch={"ciks": [855654], "catch_up_days": 0})
    settings = dataclasses.replace(settings, alarms=AlarmSettings(channel="ops", **alarms))
    notifier = SlackNotifier(
        SlackSettings(name="ops", webhook_url=Secret(slack.url), timeout=5, min_interval_seconds=0)
    )
    runtime = build_runtime(
        settings, storage=Storage.open(database), notifiers={"ops": notifier}, clock=clock.now
    )
    cycles = Cycles(runtime)
    try:
        yield runtime, cycles, Monitor(runtime)
    finally:
        cycles.close()
        runtime.close()


def poll(cycles: Cycles) -> bool:
    """A poll as the daemon runs it, its success written: an idle poll writes it every
    `poll.heartbeat_seconds` of real time, and simulated minutes pass here in microseconds."""
    ok = cycles.poll().ok
    if ok:
        cycles.runtime.storage.state.poll_succeeded(cycles.runtime.clock())
    return ok


def alarms_said(slack: SlackReceiver) -> list[str]:
    said = []
    for request in slack.requests:
        header = request.json()["blocks"][0]["text"]["text"]
        if header.startswith("edgarwatch ALARM") or header.startswith("edgarwatch cleared"):
            said.append(header)
    return said


def changed(monitor: Monitor, runtime: Runtime) -> list[str]:
    names = [c.name for c in monitor.alarms()]
    runtime.dispatcher.dispatch()
    return names


def test_an_alarm_is_raised_once_and_cleared_once_across_a_restart(
    tmp_path: Path, slack_receiver: SlackReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "edgarwatch.db"
    caplog.set_level(logging.WARNING, "edgarwatch.daemon.monitor")
    only = {"no_poll_minutes": 0, "feed_silent_minutes": 0}  # the clock jumps: one alarm here
    with replay_at("2026-03-10 14:00") as (_, clock, url):
        with daemon(url, database, clock, slack_receiver, **only) as (runtime, cycles, monitor):
            assert cycles.poll().ok
            clock.set("2026-03-10 14:22")
            runtime.storage.state.save_sec_block(
                SecBlock(eastern("2026-03-10 14:32"), "HTTP 403: Request Rate Threshold Exceeded")
            )
            assert changed(monitor, runtime) == ["sec-block"]
            clock.advance(60)
            assert changed(monitor, runtime) == []
        with daemon(url, database, clock, slack_receiver, **only) as (runtime, cycles, monitor):
            assert changed(monitor, runtime) == []  # restarted: still raised, not said again
            status = collect(runtime.settings, runtime.storage, clock.now())
            assert [a["name"] for a in status["alarms"]] == ["sec-block"]
            assert (
                "ALARM                  SEC rate-limit block since 2026-03-10 14:22:00 EDT"
                in render_text(status)
            )
        clock.set("2026-03-10 14:33")
        with daemon(url, database, clock, slack_receiver, **only) as (runtime, cycles, monitor):
            assert changed(monitor, runtime) == ["sec-block"]  # the pause ended: cleared
            assert changed(monitor, runtime) == []
        with daemon(url, database, clock, slack_receiver, **only) as (runtime, cycles, monitor):
            assert changed(monitor, runtime) == []
            assert collect(runtime.settings, runtime.storage, clock.now())["alarms"] == []
    assert alarms_said(slack_receiver) == [
        "edgarwatch ALARM: SEC rate-limit block",
        "edgarwatch cleared: SEC rate-limit block",
    ]
    raised = slack_receiver.requests[0].json()["blocks"][1]["text"]["text"]
    assert "The SEC refused our requests (HTTP 403: Request Rate Threshold Exceeded)" in raised
    assert "paused until 2026-03-10 14:32 ET" in raised
    cleared = slack_receiver.requests[1].json()["blocks"][1]["text"]["text"]
    assert "(raised 2026-03-10 14:22 ET, cleared, after 11 min)" in cleared
    logged = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert (
        logging.ERROR,
        "ALARM raised: SEC rate-limit block — " + raised.split(" (raised")[0],
    ) in logged
    assert any(
        level == logging.WARNING and "alarm cleared: SEC rate-limit block" in text
        for level, text in logged
    )


def test_no_poll_in_filing_hours(tmp_path: Path, slack_receiver: SlackReceiver) -> None:
    with (
        replay_at("2026-03-10 09:00") as (replay, clock, url),
        daemon(url, tmp_path / "a.db", clock, slack_receiver) as (runtime, cycles, monitor),
    ):
        assert cycles.poll().ok
        replay.throttle()  # every request refused from now on
        clock.set("2026-03-10 09:09")
        assert not cycles.poll().ok
        assert "no-poll" not in changed(monitor, runtime)
        clock.set("2026-03-10 09:11")
        assert "no-poll" in changed(monitor, runtime)
        replay.throttle(on=False)
        runtime.storage.state.save_sec_block(SecBlock(eastern("2026-03-10 09:00"), ""))
        runtime.client.throttle.until = None
        replay.publish(eight_k(MARKET[0], ["8.01"]))  # a poll that finds news writes its success
        assert cycles.poll().ok
        assert "no-poll" in changed(monitor, runtime)
    said = alarms_said(slack_receiver)
    assert "edgarwatch ALARM: No successful poll" in said
    assert "edgarwatch cleared: No successful poll" in said


def test_the_feed_gone_silent_is_raised_and_cleared_by_the_next_8k(
    tmp_path: Path, slack_receiver: SlackReceiver
) -> None:
    with (
        replay_at("2026-03-10 09:00") as (replay, clock, url),
        daemon(url, tmp_path / "f.db", clock, slack_receiver) as (runtime, cycles, monitor),
    ):
        assert poll(cycles)
        clock.set("2026-03-10 09:55")
        replay.publish(eight_k(MARKET[0], ["8.01"]))
        clock.set("2026-03-10 10:00")
        assert poll(cycles)
        clock.set("2026-03-10 10:24")
        assert poll(cycles)
        assert changed(monitor, runtime) == []
        clock.set("2026-03-10 10:26")
        assert poll(cycles)
        assert changed(monitor, runtime) == ["feed-silent"]
        assert collect(runtime.settings, runtime.storage, clock.now())["problems"][-1].startswith(
            "alarm raised: The 8-K feed has gone silent — No new 8-K on EDGAR's feed for 31 min"
        )
        replay.publish(eight_k(MARKET[1], ["8.01"]))
        clock.advance(30)
        assert poll(cycles)
        assert changed(monitor, runtime) == ["feed-silent"]
    assert alarms_said(slack_receiver) == [
        "edgarwatch ALARM: The 8-K feed has gone silent",
        "edgarwatch cleared: The 8-K feed has gone silent",
    ]


def test_dead_and_waiting_notifications_and_the_alarm_channel_itself(
    tmp_path: Path, slack_receiver: SlackReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, "edgarwatch.daemon.monitor")
    with (
        replay_at("2026-03-10 10:00") as (_, clock, url),
        daemon(url, tmp_path / "d.db", clock, slack_receiver) as (runtime, cycles, monitor),
    ):
        assert cycles.poll().ok
        queue_notifications(runtime.storage, ["ops"], count=2)
        # queued 45 minutes ago, the channel retrying them later still
        runtime.storage.connections.db.execute(
            "UPDATE notifications SET created_at = ?, next_attempt_at = ?",
            [
                iso(clock.now() - timedelta(minutes=45)),
                iso(datetime.now(UTC) + timedelta(hours=1)),
            ],
        )
        assert changed(monitor, runtime) == ["pending"]
        slack_receiver.reply(NO_SERVICE, NO_SERVICE)
        runtime.storage.connections.db.execute(
            "UPDATE notifications SET next_attempt_at = ?", [iso(datetime.now(UTC))]
        )
        runtime.dispatcher.dispatch()  # both dead: the alarm channel refuses them
        assert changed(monitor, runtime) == ["notifications-dead", "pending"]
        for row in runtime.storage.outbox.listing(status="dead"):
            assert runtime.storage.outbox.dismiss(row["delivery_id"])
        assert changed(monitor, runtime) == ["notifications-dead"]
    assert alarms_said(slack_receiver) == [
        "edgarwatch ALARM: Notifications waiting too long",
        "edgarwatch ALARM: Notifications dead",
        "edgarwatch cleared: Notifications waiting too long",
        "edgarwatch cleared: Notifications dead",
    ]
    messages = [r.getMessage() for r in caplog.records]
    assert any(
        "the alarm channel ops has dead notifications itself: this alarm may not reach it" in m
        for m in messages
    )


def test_without_a_channel_alarms_are_logged_and_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, "edgarwatch.daemon.monitor")
    with replay_at("2026-03-10 10:00") as (_, clock, url):
        settings = dataclasses.replace(settings_for(url, tmp_path / "n.db"), alarms=AlarmSettings())
        runtime = build_runtime(
            settings, storage=Storage.open(tmp_path / "n.db"), notifiers={}, clock=clock.now
        )
        runtime.storage.state.save_sec_block(SecBlock(eastern("2026-03-10 10:30"), "HTTP 429"))
        monitor = Monitor(runtime)
        assert [c.name for c in monitor.alarms()] == ["sec-block"]
        assert runtime.storage.messages.counts() == {"pending": 0, "dead": 0}
        assert [a.name for a in runtime.storage.alarms.raised()] == ["sec-block"]
        runtime.close()
    messages = [r.getMessage() for r in caplog.records]
    assert any(
        m.startswith("ALARM raised: SEC rate-limit block — The SEC refused our requests (HTTP 429)")
        for m in messages
    )
    assert any("this alarm is only logged" in m for m in messages)


def test_alarm_messages_never_feed_the_alarms_and_a_waiting_digest_does(tmp_path: Path) -> None:
    """Alarm rows never count as waiting or dead (a channel that is down must not keep
    feeding the alarms about it); a digest waiting counts, a dead one is only logged and
    counted by `status` (no command dismisses it, an alarm must not stay raised for it)."""
    storage = Storage.open(tmp_path / "s.db")
    storage.messages.queue(
        "ops", Outgoing("alarm:x:raised:t", "alarm", "t", '{"kind": "alarm", "title": "t"}')
    )
    storage.connections.db.execute(
        "UPDATE messages SET created_at = '2020-01-01T00:00:00+00:00', status = 'dead'"
    )
    assert storage.alarms.oldest_pending() is None
    assert storage.alarms.dead() == []
    storage.messages.queue(
        "ops", Outgoing("digest:d", "digest", "t", '{"kind": "digest", "title": "t"}')
    )
    storage.connections.db.execute(
        "UPDATE messages SET created_at = '2020-01-01T00:00:00+00:00' WHERE kind = 'digest'"
    )
    assert storage.alarms.oldest_pending() == datetime(2020, 1, 1, tzinfo=UTC)
    storage.connections.db.execute("UPDATE messages SET status = 'dead' WHERE kind = 'digest'")
    assert storage.alarms.dead() == []
    assert storage.messages.counts() == {"pending": 0, "dead": 2}
