"""What the daemon costs under load and when idle, counted where it can be counted
exactly: requests at the replay, frames in the database's write-ahead log.

* an idle poll is one request whatever happened in the last 30 minutes;
* an idle poll, sweep or full-text search writes nothing to the database;
* the cycle log (`polls`) keeps 30 days.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from edgarwatch.daemon.cycles import Cycles
from edgarwatch.storage import Storage
from tests.support import company, eight_k
from tests.test_after_hours import daemon_at

FILERS = [company(6_000_000 + n, f"BUSY FILER {n}") for n in range(300)]


def wal_bytes(cycles: Cycles) -> int:
    wal = cycles.runtime.storage.path.with_name(cycles.runtime.storage.path.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def checkpoint(cycles: Cycles) -> None:
    """Empty the write-ahead log, so that any later commit shows as bytes in it."""
    cycles.runtime.storage.connections.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert wal_bytes(cycles) == 0


def test_an_idle_poll_is_one_request_after_a_burst_in_the_last_half_hour(
    tmp_path: Path,
) -> None:
    with daemon_at("2026-03-10 10:00", tmp_path) as (replay, clock, cycles):
        replay.publish(eight_k(FILERS[0], ["8.01"]), clock.now() - timedelta(hours=1))
        assert cycles.poll().ok  # the baseline
        for filer in FILERS[1:251]:  # 250 8-Ks in the next minutes
            replay.publish(eight_k(filer, ["7.01"]))
            clock.advance(1)
        assert cycles.poll().found == 0  # nobody watched: recorded as seen only
        replay.clear_requests()
        for _ in range(5):
            clock.advance(5)
            assert cycles.poll().ok
        assert len(replay.requests()) == 5
        assert all("count=10&" in r.path for r in replay.requests())


@pytest.mark.slow
def test_idle_polls_sweeps_and_searches_write_nothing(tmp_path: Path) -> None:
    with daemon_at("2026-03-10 10:00", tmp_path) as (replay, clock, cycles):
        for n, filer in enumerate(FILERS[:30]):
            replay.publish(eight_k(filer, ["8.01"]), clock.now() - timedelta(minutes=60 - n))
        assert cycles.poll().ok  # the baseline, and the first heartbeat
        assert cycles.poll().ok  # its outcome changed ("0 new"): the status line, once
        assert cycles.sweep().ok
        assert cycles.search().ok
        checkpoint(cycles)
        for _ in range(20):
            clock.advance(1)
            assert cycles.poll().ok
        assert cycles.sweep().ok
        assert cycles.search().ok
        assert wal_bytes(cycles) == 0
        replay.publish(eight_k(FILERS[40], ["8.01"]))
        assert cycles.poll().ok
        assert wal_bytes(cycles) > 0  # something happened: the cursor and `seen` move


def test_the_cycle_log_keeps_thirty_days(tmp_path: Path) -> None:
    state = Storage.open(tmp_path / "edgarwatch.db").state
    now = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    for days in (45, 31, 29, 1):
        state.log_cycle("reconcile", now - timedelta(days=days), ok=True, requests=1, new_filings=0)
    state.log_cycle("poll", now - timedelta(days=40), ok=True, requests=1, new_filings=1)
    state.log_cycle("reconcile", now, ok=True, requests=1, new_filings=0)
    rows = state.c.query("SELECT kind, started_at FROM polls ORDER BY id")
    assert [(r["kind"], r["started_at"][:10]) for r in rows] == [
        ("reconcile", "2026-02-09"),
        ("reconcile", "2026-03-09"),
        ("poll", "2026-01-29"),  # pruned when the next poll is logged
        ("reconcile", "2026-03-10"),
    ]
