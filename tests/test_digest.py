"""The daily digest (issue 12.2): exactly once per day across restarts and downtime, a day
missed while down sent at start once, empty days silent unless asked, Eastern time across
the DST change; the daemon's cycles and the digest job on the replay's simulated clock,
delivered to a loopback Slack."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from edgarwatch.config import ConfigError, from_mapping
from edgarwatch.daemon.cycles import Cycles
from edgarwatch.daemon.monitor import Monitor
from edgarwatch.daemon.runtime import Runtime, build_runtime
from edgarwatch.daemon.status import collect, render_text
from edgarwatch.digest import DigestSettings, clock_time, due_moment, last_due, next_due, plan
from edgarwatch.notifiers.console import ConsoleNotifier, ConsoleSettings
from edgarwatch.notifiers.slack import SlackNotifier, SlackSettings
from edgarwatch.replay.clock import ReplayClock, eastern
from edgarwatch.replay.server import Replay
from edgarwatch.secrets import Secret
from edgarwatch.storage import Storage
from tests.servers.slack_receiver import SlackReceiver
from tests.support import USER_AGENT, company, eight_k, replay_at, settings_for

IMMUNOGEN = company(855654, "IMMUNOGEN INC", ticker="IMGN")
APPLE = company(320193, "Apple Inc.", ticker="AAPL")
STRANGER = company(1999999, "UNWATCHED CORP")
WATCHED = [855654, 320193]
SEVEN = time(7, 0)
SICOR = (
    "On April 30, 2007, ImmunoGen, Inc. entered into a manufacturing agreement with Società "
    "Italiana Corticosteroidi S.r.l (SICOR). ImmunoGen will pay SICOR five million Euros for "
    "these cGMP batches of DMx through completion of the contract in early 2008."
)


# --------------------------------------------------------------------------- the schedule


def test_seven_in_the_morning_eastern_is_noon_utc_in_winter_and_eleven_in_summer() -> None:
    friday_before = due_moment(date(2026, 3, 6), SEVEN)
    monday_after = due_moment(date(2026, 3, 9), SEVEN)  # DST began Sunday 2026-03-08
    assert friday_before == datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
    assert monday_after == datetime(2026, 3, 9, 11, 0, tzinfo=UTC)
    assert due_moment(date(2026, 11, 2), SEVEN) == datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    # the spring-forward gap: 02:30 does not exist that night; it is 03:30 EDT
    assert due_moment(date(2026, 3, 8), time(2, 30)) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)


def test_the_due_moment_is_the_latest_seven_oclock_at_or_before_now() -> None:
    assert last_due(SEVEN, eastern("2026-03-10 06:59:59")) == due_moment(date(2026, 3, 9), SEVEN)
    assert last_due(SEVEN, eastern("2026-03-10 07:00:00")) == due_moment(date(2026, 3, 10), SEVEN)
    assert next_due(SEVEN, eastern("2026-03-10 07:00:00")) == due_moment(date(2026, 3, 11), SEVEN)
    # across the change: Sunday 07:00 EDT is 11:00 UTC, Saturday's was 12:00 UTC
    assert last_due(SEVEN, datetime(2026, 3, 8, 10, 59, tzinfo=UTC)) == datetime(
        2026, 3, 7, 12, 0, tzinfo=UTC
    )
    assert last_due(SEVEN, datetime(2026, 3, 8, 11, 0, tzinfo=UTC)) == datetime(
        2026, 3, 8, 11, 0, tzinfo=UTC
    )


def test_a_digest_is_owed_once_per_due_moment_and_once_for_a_gap() -> None:
    first = plan(SEVEN, eastern("2026-03-10 10:00"), None)
    assert first is not None
    assert first.first  # only marks where the channel's digests start
    monday = due_moment(date(2026, 3, 9), SEVEN)
    assert plan(SEVEN, eastern("2026-03-10 06:59"), monday) is None
    owed = plan(SEVEN, eastern("2026-03-10 07:00"), monday)
    assert owed is not None
    assert (owed.day, owed.since, owed.missed_days) == (date(2026, 3, 10), monday, [])
    assert plan(SEVEN, eastern("2026-03-10 23:00"), owed.due_at) is None
    gap = plan(SEVEN, eastern("2026-03-13 09:30"), monday)  # down Tuesday to Friday morning
    assert gap is not None
    assert gap.day == date(2026, 3, 13)
    assert gap.missed_days == [date(2026, 3, 10), date(2026, 3, 11), date(2026, 3, 12)]


def test_digest_times_are_a_24_hour_clock() -> None:
    assert clock_time("7:05") == "07:05"
    for wrong in ("7am", "24:00", "07:60", ""):
        with pytest.raises(ValueError, match="time of day"):
            clock_time(wrong)


def test_the_configuration_names_a_known_channel_once() -> None:
    base: dict[str, Any] = {
        "edgar": {"user_agent": USER_AGENT},
        "slack": {"webhook_url": "https://hooks.slack.com/services/T/B/x"},
    }
    settings = from_mapping({**base, "digest": [{"channel": "slack", "time": "17:45"}]}, environ={})
    assert settings.digests == (DigestSettings(channel="slack", time="17:45"),)
    with pytest.raises(ConfigError) as refused:
        from_mapping(
            {
                **base,
                "digest": [
                    {"channel": "slack"},
                    {"channel": "slack", "time": "8:00"},
                    {"channel": "teams"},
                    {"time": "25:00", "sendempty": True},
                ],
            },
            environ={},
        )
    problems = "\n".join(refused.value.problems)
    assert "digest[1].channel: 'slack' has a digest already" in problems
    assert "digest[2].channel: no channel named 'teams'" in problems
    assert "digest[3].time: '25:00' is not a time of day" in problems
    assert "digest[3].sendempty: unknown key" in problems
    assert "digest[3].channel: missing" in problems


# --------------------------------------------------------------------------- the job


@dataclasses.dataclass(frozen=True)
class Day:
    """One daemon process on the simulated clock: its runtime, cycles and digest job."""

    runtime: Runtime
    cycles: Cycles
    monitor: Monitor

    def digests(self) -> list[str]:
        queued = self.monitor.digests()
        self.runtime.dispatcher.dispatch()
        return queued


@contextmanager
def daemon(
    url: str, database: Path, clock: ReplayClock, slack: SlackReceiver, **digest: Any
) -> Iterator[Day]:
    settings = settings_for(url, database, watch={"ciks": WATCHED, "catch_up_days": 0})
    settings = dataclasses.replace(settings, digests=(DigestSettings(channel="slack", **digest),))
    notifier = SlackNotifier(
        SlackSettings(
            name="slack", webhook_url=Secret(slack.url), timeout=5, min_interval_seconds=0
        )
    )
    runtime = build_runtime(
        settings,
        storage=Storage.open(database),
        notifiers={"slack": notifier},
        clock=clock.now,
    )
    cycles = Cycles(runtime)
    try:
        yield Day(runtime, cycles, Monitor(runtime))
    finally:
        cycles.close()
        runtime.close()


def publish(replay: Replay, clock: ReplayClock, day: Day, *filings: Any) -> None:
    """Publish, let the poll find and the readers read them, as the daemon would."""
    for filing in filings:
        replay.publish(filing)
        clock.advance(5)
    assert day.cycles.poll().ok
    day.cycles.read()


def texts(slack: SlackReceiver) -> list[str]:
    """The digests Slack received (the filings' own notifications left out)."""
    bodies = [request.body.decode("utf-8") for request in slack.requests]
    return [body for body in bodies if "edgarwatch digest for" in body]


def digest_rows(storage: Storage) -> list[tuple[str, str, int]]:
    rows = storage.connections.query("SELECT day, outcome, filings FROM digests ORDER BY due_at")
    return [(row["day"], row["outcome"], row["filings"]) for row in rows]


def test_one_digest_a_day_across_a_restart_and_a_day_missed_while_down_is_sent_at_start_once(
    tmp_path: Path, slack_receiver: SlackReceiver
) -> None:
    database = tmp_path / "edgarwatch.db"
    deal = eight_k(IMMUNOGEN, {"1.01": SICOR}, exhibits=[("EX-10.1", "ex10.htm", "AGREEMENT")])
    earnings = eight_k(APPLE, ["2.02", "9.01"])
    theirs = eight_k(STRANGER, ["1.01"])
    later = eight_k(APPLE, ["5.02"])
    while_down = eight_k(IMMUNOGEN, ["8.01"])
    with replay_at("2026-03-09 06:00") as (replay, clock, url):
        with daemon(url, database, clock, slack_receiver) as first:
            assert first.cycles.poll().ok  # the baseline
            assert first.cycles.reconcile().ok
            assert first.digests() == []  # where this channel's digests start
            publish(replay, clock, first, deal, earnings, theirs)
            clock.set("2026-03-09 06:59:59")
            assert first.digests() == []
            clock.set("2026-03-09 07:00:01")
            assert first.digests() == ["slack"]
            assert first.digests() == []
            publish(replay, clock, first, later)  # after the cut-off: tomorrow's
        assert len(texts(slack_receiver)) == 1
        monday = texts(slack_receiver)[0]
        assert "edgarwatch digest for Mon 9 Mar 2026: 2 new filings" in monday
        assert "IMMUNOGEN INC (CIK 855654)" in monday
        assert "Apple Inc. (CIK 320193)" in monday
        assert monday.index("Apple Inc.") < monday.index("IMMUNOGEN INC")  # sorted by company
        assert "UNWATCHED CORP" not in monday
        assert "1.01 Entry into a Material Definitive Agreement" in monday
        assert "2.02 Results of Operations and Financial Condition" in monday
        assert "Manufacturing agreement with" in monday  # the agreement's headline
        assert f"{deal.accession}-index.htm" in monday

        clock.set("2026-03-09 11:00")  # stopped after the digest, restarted the same day
        with daemon(url, database, clock, slack_receiver) as again:
            assert again.cycles.reconcile().ok
            assert again.digests() == []
        assert len(texts(slack_receiver)) == 1

        clock.set("2026-03-10 12:00")  # down all Tuesday, the digest of 07:00 missed
        replay.publish(while_down)
        clock.set("2026-03-11 09:30")  # started on Wednesday morning
        with daemon(url, database, clock, slack_receiver) as third:
            assert third.digests() == []  # waits for the first catch-up of this start
            assert third.cycles.reconcile().ok
            third.cycles.read()
            assert third.digests() == ["slack"]
            assert third.digests() == []
        clock.set("2026-03-11 10:00")
        with daemon(url, database, clock, slack_receiver) as fourth:
            assert fourth.cycles.reconcile().ok
            assert fourth.digests() == []
    assert len(texts(slack_receiver)) == 2
    wednesday = texts(slack_receiver)[1]
    assert "edgarwatch digest for Wed 11 Mar 2026: 2 new filings" in wednesday
    assert "5.02 Departure of Directors" in wednesday  # recorded after Monday's cut-off
    assert "8.01 Other Events" in wednesday  # found by the catch-up while down
    assert deal.accession not in wednesday  # in Monday's digest, never twice
    assert "It covers 2 days: edgarwatch was not running when the digest of Tue 10 Mar was due" in (
        wednesday
    )
    storage = Storage.open(database)
    assert digest_rows(storage) == [
        ("2026-03-08", "start", 0),
        ("2026-03-09", "queued", 2),
        ("2026-03-11", "queued", 2),
    ]
    assert storage.messages.counts() == {"pending": 0, "dead": 0}
    storage.close()


def test_an_empty_day_sends_nothing_unless_asked(
    tmp_path: Path, slack_receiver: SlackReceiver
) -> None:
    with replay_at("2026-03-09 06:00") as (_, clock, url):
        with daemon(url, tmp_path / "quiet.db", clock, slack_receiver) as quiet:
            quiet.cycles.poll()
            quiet.cycles.reconcile()
            quiet.digests()
            clock.set("2026-03-09 07:00")
            assert quiet.digests() == []
            assert digest_rows(quiet.runtime.storage)[-1] == ("2026-03-09", "empty", 0)
        assert texts(slack_receiver) == []
        clock.set("2026-03-09 06:00")
        with daemon(url, tmp_path / "chatty.db", clock, slack_receiver, send_empty=True) as chatty:
            chatty.cycles.poll()
            chatty.cycles.reconcile()
            chatty.digests()
            clock.set("2026-03-09 07:00")
            assert chatty.digests() == ["slack"]
            clock.set("2026-03-09 08:00")
            assert chatty.digests() == []
    assert len(texts(slack_receiver)) == 1
    text = texts(slack_receiver)[0]
    assert "edgarwatch digest for Mon 9 Mar 2026: no new filings" in text
    assert "No new filings of watched companies since" in text


def test_the_digest_follows_eastern_time_across_the_dst_change(
    tmp_path: Path, slack_receiver: SlackReceiver
) -> None:
    with (
        replay_at("2026-03-05 08:00") as (replay, clock, url),
        daemon(url, tmp_path / "dst.db", clock, slack_receiver, send_empty=True) as day,
    ):
        day.cycles.poll()
        day.cycles.reconcile()
        day.digests()
        clock.set(datetime(2026, 3, 6, 11, 59, 59, tzinfo=UTC))  # Friday 06:59:59 EST
        assert day.digests() == []
        clock.set(datetime(2026, 3, 6, 12, 0, 1, tzinfo=UTC))  # 07:00:01 EST
        assert day.digests() == ["slack"]
        for weekend in ("2026-03-07 07:30", "2026-03-08 07:30"):  # quiet, said so
            clock.set(weekend)
            assert day.digests() == ["slack"]
        replay.publish(eight_k(IMMUNOGEN, {"1.01": SICOR}))  # held to Monday's release
        clock.set("2026-03-09 06:30")
        assert day.cycles.sweep().found == 1
        day.cycles.read()
        clock.set(datetime(2026, 3, 9, 10, 59, 59, tzinfo=UTC))  # Monday 06:59:59 EDT
        assert day.digests() == []
        clock.set(datetime(2026, 3, 9, 11, 0, 1, tzinfo=UTC))  # 07:00:01 EDT
        assert day.digests() == ["slack"]
        due = day.runtime.storage.connections.query(
            "SELECT day, due_at FROM digests WHERE outcome != 'start' ORDER BY due_at"
        )
    assert [(row["day"], row["due_at"]) for row in due] == [
        ("2026-03-06", "2026-03-06T12:00:00+00:00"),
        ("2026-03-07", "2026-03-07T12:00:00+00:00"),
        ("2026-03-08", "2026-03-08T11:00:00+00:00"),
        ("2026-03-09", "2026-03-09T11:00:00+00:00"),
    ]
    monday = texts(slack_receiver)[-1]
    assert "edgarwatch digest for Mon 9 Mar 2026: 1 new filing" in monday
    assert "since Sun 8 Mar 07:00 ET" in monday


def test_status_shows_the_next_digest_and_the_last(tmp_path: Path) -> None:
    with replay_at("2026-03-09 06:00") as (_, clock, url):
        settings = settings_for(url, tmp_path / "s.db", watch={"ciks": WATCHED})
        settings = dataclasses.replace(settings, digests=(DigestSettings(channel="console"),))
        runtime = build_runtime(
            settings,
            storage=Storage.open(tmp_path / "s.db"),
            notifiers={"console": ConsoleNotifier(ConsoleSettings(stream=io.StringIO()))},
            clock=clock.now,
        )
        monitor = Monitor(runtime, catch_up_first=False)
        monitor.digests()
        clock.set("2026-03-09 07:00")
        monitor.digests()
        report = collect(settings, runtime.storage, clock.now())
        runtime.close()
    assert report["digests"] == [
        {
            "channel": "console",
            "time": "07:00 ET",
            "next": "2026-03-10T11:00:00+00:00",
            "last_day": "2026-03-09",
            "last_outcome": "empty",
            "last_filings": 0,
        }
    ]
    assert (
        "next digest            console: 2026-03-10 07:00:00 EDT; last: 2026-03-09 (0 filings, empty)"
        in render_text(report)
    )


def test_moving_the_digest_later_in_the_day_does_not_send_a_second_one(
    tmp_path: Path, slack_receiver: SlackReceiver
) -> None:
    with replay_at("2026-03-09 06:00") as (_, clock, url):
        with daemon(url, tmp_path / "m.db", clock, slack_receiver, send_empty=True) as early:
            early.cycles.reconcile()
            early.digests()
            clock.set("2026-03-09 07:00")
            assert early.digests() == ["slack"]
        clock.set("2026-03-09 09:00")
        with daemon(
            url, tmp_path / "m.db", clock, slack_receiver, send_empty=True, time="08:30"
        ) as late:
            late.cycles.reconcile()
            assert late.digests() == []
            clock.set("2026-03-10 08:30")
            assert late.digests() == ["slack"]
    assert [t.split('"text": "')[1].split(":")[0] for t in texts(slack_receiver)] == [
        "edgarwatch digest for Mon 9 Mar 2026",
        "edgarwatch digest for Tue 10 Mar 2026",
    ]
