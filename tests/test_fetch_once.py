"""Nothing fetched twice: the real daemon (`edgarwatch run`, on a business day's clock,
so the sweep and full-text search run) against the replay, counted in its request log.

The poll, the sweep, full-text search, the catch-up tier and the readers all
find the same filings; only the readers fetch documents, through one in-flight
registry, and only what is not read yet. A fresh database at start-up (the
baseline read, newly watched companies caught up, the catch-up's comparison)
and a burst afterwards: every document and every submissions JSON is fetched
once.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from edgarwatch.replay.clock import ReplayClock
from edgarwatch.replay.server import Replay, ReplayServer
from tests.loadgen import (
    burst,
    business_day_env,
    companies,
    daemon_config,
    document_fetches,
    duplicates,
    poll_times,
    publish_at_once,
)
from tests.process import Daemon, database_value, wait_until
from tests.support import eight_k

START = "2026-03-10 10:00"
OFTEN = """
sweep_seconds = 10
efts_seconds = 10
reconcile_minutes = 1
"""
"""Every tier as often as it may run: more chances to fetch something twice."""


def pending_reads(database: Path) -> int:
    return int(
        database_value(database, "SELECT count(*) FROM filings WHERE enrich_status = 'pending'")
        or 0
    )


def swept_and_searched_after(replay: Replay, moment: float) -> bool:
    """A sweep (the feed from the top, `count=100`, once no poll pages) and a full-text
    search both asked EDGAR after `moment`."""
    later = [r.path for r in replay.requests() if r.at > moment]
    return any("start=0&count=100" in p for p in later) and any("search-index" in p for p in later)


def submissions_fetches(replay: Replay) -> Counter[str]:
    return Counter(r.path for r in replay.requests("/submissions/") if r.status == 200)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("watched", [None, 30], ids=["watch-all", "30-companies"])
@pytest.mark.slow
def test_no_document_or_submissions_json_is_fetched_twice(
    tmp_path: Path, watched: int | None
) -> None:
    filers = companies(100)
    following = filers if watched is None else filers[:watched]
    replay = Replay(clock=ReplayClock(START), efts_lag_seconds=5)
    at = replay.now()
    for n, filer in enumerate(filers[:60]):  # the day so far, some of it by the watched
        accepted = at - timedelta(minutes=240 - 4 * n)
        replay.publish(eight_k(filer, ["1.01"] if n % 7 == 0 else ["8.01"]), accepted)
    watch = (
        "all = true"
        if watched is None
        else f"ciks = [{', '.join(str(c.cik) for c in following)}]\ncatch_up_days = 30"
    )
    database = tmp_path / "edgarwatch.db"
    with ReplayServer(replay) as edgar:
        config = daemon_config(
            tmp_path / "config.toml",
            edgar.url,
            database,
            interval=1,
            watch=watch,
            rate=8,  # the ceiling: the same reads, sooner
            poll=OFTEN,
        )
        with Daemon(config, tmp_path / "daemon.log", env=business_day_env(at)) as daemon:
            baseline = wait_until(
                lambda: database_value(
                    database, "SELECT value FROM state WHERE key = 'baseline_at'"
                ),
                timeout=60,
                why="the baseline",
            )
            wait_until(lambda: pending_reads(database) == 0, timeout=120, why="the reading")
            wait_until(  # a catch-up after the baseline: it compares submissions JSON
                lambda: database_value(
                    database,
                    "SELECT count(*) FROM polls WHERE kind = 'reconcile' AND started_at > ?",
                    (baseline,),
                ),
                timeout=90,
                why="a catch-up after the baseline",
            )
            at_start = document_fetches(replay.requests())
            load = burst(filers[60:], deals=5, seed=3)
            _, visible = publish_at_once(replay, load.filings)
            wait_until(
                lambda: [p for p in poll_times(replay.requests()) if p > visible + 2],
                timeout=30,
                why="a poll after the burst",
            )
            wait_until(lambda: pending_reads(database) == 0, timeout=120, why="the burst read")
            wait_until(
                lambda: swept_and_searched_after(replay, visible + 6),
                timeout=60,
                why="a sweep and a full-text search that list the burst",
            )
            daemon.terminate()
        assert "Traceback" not in daemon.output()
    assert at_start, "the baseline was read"
    assert duplicates(at_start) == {}
    every = document_fetches(replay.requests())
    assert duplicates(every) == {}
    expected = len({f.accession for f in load.filings if f.filer in following})
    assert len(every) - len(at_start) == expected  # the burst's watched filings, once each
    assert {path: n for path, n in submissions_fetches(replay).items() if n > 1} == {}
