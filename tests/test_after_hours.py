"""Never miss what EDGAR publishes late: after-hours 8-Ks posted the next morning below
newer entries, filings the feed never shows, weekends, holidays, DST, restarts.

The daemon's cycles run on the replay's clock (a simulated EDGAR day), as the
scheduler would call them; the replay holds 8-Ks accepted after 17:30 ET until
06:00 the next business day, at their evening acceptance time (EDGAR.md).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from edgarwatch.daemon.catchup import catch_up_new_companies
from edgarwatch.daemon.cycles import Cycles
from edgarwatch.daemon.runtime import Runtime, build_runtime
from edgarwatch.daemon.status import collect
from edgarwatch.notifiers.console import ConsoleNotifier, ConsoleSettings
from edgarwatch.replay.catalog import ReplayFiling
from edgarwatch.replay.clock import ReplayClock
from edgarwatch.replay.server import Replay
from edgarwatch.storage import Storage
from tests.support import company, eight_k, replay_at, settings_for

IMMUNOGEN = company(855654, "IMMUNOGEN INC", ticker="IMGN")
APPLE = company(320193, "Apple Inc.", ticker="AAPL")
STRANGERS = [company(3_000_000 + n, f"MORNING FILER {n}") for n in range(40)]
SMALL = [855654, 320193, 789019]
LARGE = [855654, *range(5_000_000, 5_009_999)]  # 10,000 watched companies


@contextmanager
def daemon_at(
    start: str, tmp_path: Path, ciks: list[int] = SMALL, **replay_options: Any
) -> Iterator[tuple[Replay, ReplayClock, Cycles]]:
    """The replay and the daemon's cycles on one simulated clock."""
    with replay_at(start, **replay_options) as (replay, clock, url):
        runtime = runtime_on(url, tmp_path / "edgarwatch.db", clock, ciks)
        yield replay, clock, Cycles(runtime)
        runtime.close()


def runtime_on(url: str, database: Path, clock: ReplayClock, ciks: list[int]) -> Runtime:
    settings = settings_for(url, database, watch={"ciks": ciks, "catch_up_days": 0})
    return build_runtime(
        settings,
        storage=Storage.open(database),
        notifiers={"console": ConsoleNotifier(ConsoleSettings(stream=io.StringIO()))},
        clock=clock.now,
    )


def outbox(cycles: Cycles) -> list[str]:
    rows = cycles.runtime.storage.connections.query(
        "SELECT accession FROM notifications ORDER BY rowid"
    )
    return [str(row["accession"]) for row in rows]


def found_by(cycles: Cycles, accession: str) -> tuple[str, str]:
    row = cycles.runtime.storage.connections.query(
        "SELECT source, notify FROM filings WHERE accession = ?", [accession]
    )[0]
    return str(row["source"]), str(row["notify"])


def posted(filing: ReplayFiling) -> datetime:
    """When the replay posts a published filing on the feed."""
    assert filing.visible_at is not None
    return filing.visible_at


def morning_entries(replay: Replay, clock: ReplayClock, count: int = 12) -> None:
    for stranger in STRANGERS[:count]:
        replay.publish(eight_k(stranger, ["8.01"]))
        clock.advance(1)


def test_an_after_hours_8k_posted_below_seen_entries_is_found_by_the_morning_sweep(
    tmp_path: Path,
) -> None:
    with daemon_at("2026-03-10 18:05", tmp_path, release_spread_seconds=600) as (
        replay,
        clock,
        cycles,
    ):
        late = replay.publish(eight_k(IMMUNOGEN, ["1.01"]))
        clock.set("2026-03-10 18:10")
        assert cycles.poll().ok  # the baseline: EDGAR holds the 8-K, nothing shows it
        clock.set("2026-03-11 06:00:00")
        morning_entries(replay, clock)
        assert cycles.poll().ok
        clock.set(posted(late) + timedelta(seconds=1))  # posted below those entries
        assert cycles.poll().found == 0  # the top of the feed is known ground
        sweep = cycles.sweep()
        assert sweep.ok, sweep.summary
        assert sweep.found == 1
        assert found_by(cycles, late.accession) == ("sweep", "news")
        cycles.read()
        assert outbox(cycles) == [late.accession]
        requests = [r.path for r in replay.requests("action=getcurrent")][-2:]
        assert all("count=100&" in p for p in requests[-1:])  # the sweep: full pages


def test_the_morning_sweep_finds_it_with_ten_thousand_watched_companies(
    tmp_path: Path,
) -> None:
    with daemon_at("2026-03-10 18:05", tmp_path, LARGE, release_spread_seconds=600) as (
        replay,
        clock,
        cycles,
    ):
        late = replay.publish(eight_k(IMMUNOGEN, ["1.01"]))
        clock.set("2026-03-10 18:10")
        cycles.poll()
        clock.set("2026-03-11 06:00:00")
        morning_entries(replay, clock, 30)
        cycles.poll()
        clock.set(posted(late) + timedelta(seconds=1))
        replay.clear_requests()
        assert cycles.poll().found == 0
        assert len(replay.requests()) == 1  # an idle poll: one request, whatever the watchlist
        assert cycles.sweep().found == 1
        assert len(replay.requests()) == 1 + 1  # the morning sweep: one page of 100
        cycles.read()
        assert outbox(cycles) == [late.accession]


def test_a_filing_the_feed_never_shows_is_found_by_full_text_search(tmp_path: Path) -> None:
    with daemon_at("2026-03-10 10:00", tmp_path) as (replay, clock, cycles):
        cycles.poll()
        missing = eight_k(IMMUNOGEN, ["1.01", "9.01"])
        replay.drop_from_feed(missing.accession)
        replay.publish(missing)
        clock.advance(30)
        assert cycles.poll().found == 0
        assert cycles.sweep().found == 0
        search = cycles.search()
        assert search.ok, search.summary
        assert search.found == 1
        assert found_by(cycles, missing.accession) == ("efts", "news")
        cycles.read()
        assert outbox(cycles) == [missing.accession]
        roles = cycles.runtime.storage.connections.query(
            "SELECT cik, role FROM filing_companies WHERE accession = ?", [missing.accession]
        )
        assert roles == [{"cik": 855654, "role": "Filer"}]  # unknown from EFTS, then read


def test_a_friday_evening_8k_is_news_on_monday_morning(tmp_path: Path) -> None:
    with daemon_at("2026-03-13 18:05", tmp_path) as (replay, clock, cycles):
        late = replay.publish(eight_k(IMMUNOGEN, ["1.01"]))
        clock.set("2026-03-13 19:00")
        cycles.poll()
        clock.set("2026-03-16 06:00:05")  # Monday
        assert cycles.sweep().found + cycles.poll().found == 1
        assert found_by(cycles, late.accession)[1] == "news"
        cycles.read()
        assert outbox(cycles) == [late.accession]


def test_the_morning_release_after_the_dst_change_reaches_fridays_evening(
    tmp_path: Path,
) -> None:
    # Friday 2026-03-06 18:05 EST; DST begins Sunday 03-08; posted Monday 06:00 EDT.
    with daemon_at("2026-03-06 18:05", tmp_path, release_spread_seconds=600) as (
        replay,
        clock,
        cycles,
    ):
        late = replay.publish(eight_k(IMMUNOGEN, ["1.01"]))
        clock.set("2026-03-06 20:00")
        cycles.poll()
        clock.set("2026-03-09 06:00:00")
        morning_entries(replay, clock)
        cycles.poll()
        clock.set(posted(late) + timedelta(seconds=1))
        assert cycles.sweep().found == 1
        assert late.accepted_at is not None
        assert late.accepted_at.utcoffset() == timedelta(hours=-5)
        cycles.read()
        assert outbox(cycles) == [late.accession]


def test_a_holiday_monday_pushes_the_release_and_the_sweep_follows(tmp_path: Path) -> None:
    # Friday 2026-01-16 18:05; Monday 01-19 is Martin Luther King Jr. Day.
    with daemon_at("2026-01-16 18:05", tmp_path) as (replay, clock, cycles):
        late = replay.publish(eight_k(IMMUNOGEN, ["1.01"]))
        clock.set("2026-01-16 19:00")
        cycles.poll()
        clock.set("2026-01-19 07:00")  # the holiday: EDGAR still holds it
        assert cycles.sweep().found == 0
        clock.set("2026-01-20 06:00:05")
        assert cycles.poll().found + cycles.sweep().found == 1
        cycles.read()
        assert outbox(cycles) == [late.accession]


@pytest.mark.slow
def test_a_restart_in_the_middle_of_the_morning_release_misses_nothing_and_repeats_nothing(
    tmp_path: Path,
) -> None:
    with replay_at("2026-03-10 17:40", release_spread_seconds=5400) as (replay, clock, url):
        held = []
        for n in range(8):
            held.append(replay.publish(eight_k(IMMUNOGEN, ["1.01"])))
            clock.advance(600 + n)
        first = runtime_on(url, tmp_path / "edgarwatch.db", clock, SMALL)
        cycles = Cycles(first)
        clock.set("2026-03-10 21:00")
        cycles.poll()
        clock.set("2026-03-11 06:00")
        for _ in range(12):  # 06:00–06:40, sweeping every few minutes
            cycles.poll()
            cycles.sweep()
            clock.advance(200)
        cycles.read()
        before = set(outbox(cycles))
        first.close()
        assert 0 < len(before) < len(held)  # some were posted, some are still held
        clock.set("2026-03-11 06:45")
        second = runtime_on(url, tmp_path / "edgarwatch.db", clock, SMALL)
        cycles = Cycles(second)
        for _ in range(30):  # until 07:35, after the release
            cycles.poll()
            cycles.sweep()
            clock.advance(100)
        cycles.read()
        after = outbox(cycles)
        assert sorted(after) == sorted(f.accession for f in held)  # each once: no repeats
        second.close()


def test_the_nightly_audit_counts_what_each_source_found_and_records_what_all_missed(
    tmp_path: Path,
) -> None:
    with daemon_at("2026-03-10 09:00", tmp_path, daily_index_at=time(22, 0)) as (
        replay,
        clock,
        cycles,
    ):
        cycles.poll()
        on_feed = replay.publish(eight_k(APPLE, ["8.01"]))
        clock.advance(60)
        cycles.poll()
        only_in_search = eight_k(APPLE, ["1.01"])
        replay.drop_from_feed(only_in_search.accession)
        replay.publish(only_in_search)
        clock.advance(60)
        cycles.search()
        nowhere = eight_k(IMMUNOGEN, ["1.01"])
        replay.drop_from_feed(nowhere.accession)
        replay.publish(nowhere, "2026-03-10 15:00")  # after the last search ran
        clock.set("2026-03-10 22:45")
        outcome = cycles.reconcile()
        assert outcome.ok, outcome.summary
        audit = cycles.runtime.storage.state.last_audit()
        assert audit is not None
        assert (audit.total, audit.missed) == (3, 1)
        assert audit.found_by == {"feed": 1, "efts": 1}
        assert found_by(cycles, nowhere.accession) == ("daily-index", "news")
        assert on_feed.accession not in outbox(cycles)
        report = collect(cycles.runtime.settings, cycles.runtime.storage, clock.now())
        assert report["detection"]["last_audit"]["missed_by_live_sources"] == 1
        assert report["detection"]["first_shown_by_24h"] == {
            "feed": 1,
            "efts": 1,
            "daily-index": 1,
        }


def test_full_text_search_costs_one_request_when_nothing_was_indexed_since(
    tmp_path: Path,
) -> None:
    with daemon_at("2026-03-10 10:00", tmp_path) as (replay, clock, cycles):
        cycles.poll()
        for stranger in STRANGERS * 4:  # 160 filings: two pages of hits
            replay.publish(eight_k(stranger, ["8.01"]))
            clock.advance(1)
        assert cycles.search().ok
        replay.clear_requests()
        assert cycles.search().found == 0
        assert len(replay.requests("search-index")) == 1
        late = eight_k(IMMUNOGEN, ["1.01"])
        replay.drop_from_feed(late.accession)
        replay.publish(late)
        clock.advance(1)
        replay.clear_requests()
        assert cycles.search().found == 1
        assert len(replay.requests("search-index")) == 2  # the total changed: every page


def test_a_filing_made_just_after_its_company_was_added_is_news_not_history(
    tmp_path: Path,
) -> None:
    """Issue 8.8: the newcomer's back-fill recorded such a filing as history, silently."""
    with daemon_at("2026-03-10 10:00", tmp_path, [855654]) as (replay, clock, cycles):
        cycles.poll()
        runtime = cycles.runtime
        clock.set("2026-03-10 10:01")
        runtime.storage.watched.replace(
            {855654: ("IMGN", "IMMUNOGEN INC"), 320193: ("AAPL", "Apple Inc.")}, now=clock.now()
        )
        before = replay.publish(eight_k(APPLE, ["1.01"]), "2026-03-10 09:30")
        clock.set("2026-03-10 10:01:30")
        after = eight_k(APPLE, ["1.01"])
        replay.drop_from_feed(after.accession)  # the back-fill is the first to see it
        replay.publish(after)
        runtime.watchlist = replace(runtime.watchlist, ciks=frozenset({855654, 320193}))
        recorded = catch_up_new_companies(
            runtime.storage,
            runtime.client,
            runtime.watchlist,
            [320193],
            poll=runtime.settings.poll,
            watch=replace(runtime.settings.watch, catch_up_days=30),
            now=clock.now(),
        )
        assert {f.accession for f in recorded} == {before.accession, after.accession}
        assert found_by(cycles, before.accession) == ("watch-add", "history")
        assert found_by(cycles, after.accession) == ("watch-add", "news")
        cycles.read()
        assert outbox(cycles) == [after.accession]
