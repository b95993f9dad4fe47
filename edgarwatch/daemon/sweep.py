"""The feed sweep and full-text search: the live sources that find what the poll cannot.

The poll reads the top of the feed down to the first accession it knows. But
EDGAR inserts filings *below* known entries: 8-Ks accepted after 17:30 ET are
posted the next business day from about 06:00 at their evening acceptance
time, and a large submission can appear after filings accepted later than it
(EDGAR.md). So:

* the **sweep** re-reads the 8-K feed back `poll.sweep_hours` (a business day
  is a handful of pages) every `poll.sweep_seconds` in filing hours, and during
  the morning release (06:00–08:00 ET) back to the previous business day's
  17:00 every `poll.morning_sweep_seconds` (one or two pages);
* **full-text search** (EFTS) lists every 8-K of today's filing date every
  `poll.efts_seconds`: a complete, independent index, ~30–45 s behind the
  feed, that catches a filing the feed never shows.

Both record every accession they see for the first time (news after the
baseline, whatever its acceptance time) through the same `Recorder.sighted`
as the poll, so nothing is recorded or read twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from edgarwatch.config import PollSettings
from edgarwatch.daemon.discovery import FilingListener, Recorder
from edgarwatch.daemon.schedule import in_morning_release, is_business_day, morning_horizon
from edgarwatch.daemon.watchlist import Watchlist
from edgarwatch.edgar import sources
from edgarwatch.edgar.client import EdgarClient
from edgarwatch.filing import EASTERN, Filing
from edgarwatch.metrics import NO_METRICS, Instruments
from edgarwatch.policy import Rule
from edgarwatch.storage import Storage

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    source: str
    pages: int
    shown: int
    """Accessions the source listed."""
    unseen: int
    """Of them, never shown before by any live source."""
    recorded: tuple[Filing, ...]
    skipped: str = ""
    """Why nothing was read ("" when it ran)."""

    @property
    def news(self) -> int:
        return len(self.recorded)


def sweep_horizon(poll: PollSettings, now: datetime) -> datetime:
    """How far back a sweep at `now` reads: to the previous business day's 17:00 ET in
    the morning release, else `poll.sweep_hours` back."""
    if in_morning_release(now):
        return morning_horizon(now)
    return now - timedelta(hours=poll.sweep_hours)


def sweep_feed(
    storage: Storage,
    client: EdgarClient,
    watchlist: Watchlist,
    poll: PollSettings,
    *,
    now: datetime,
    rules: Sequence[Rule] = (),
    on_recorded: FilingListener | None = None,
    metrics: Instruments = NO_METRICS,
) -> SweepResult:
    """Re-read the 8-K feed back to the sweep's horizon; record what no source showed yet."""
    if storage.state.feed_cursor().baseline_at is None:
        return SweepResult("sweep", 0, 0, 0, (), "no baseline yet (the first poll sets it)")
    scan = sources.latest_filings(client, sweep_horizon(poll, now), poll.max_feed_pages)
    return _sighted(
        storage, watchlist, poll, rules, on_recorded, "sweep", scan.pages, scan.filings, metrics
    )


def search_full_text(
    storage: Storage,
    client: EdgarClient,
    watchlist: Watchlist,
    poll: PollSettings,
    *,
    now: datetime,
    rules: Sequence[Rule] = (),
    on_recorded: FilingListener | None = None,
    metrics: Instruments = NO_METRICS,
) -> SweepResult:
    """Every 8-K EDGAR full-text search holds for today's filing date; record the unseen."""
    day = now.astimezone(EASTERN).date()
    if storage.state.feed_cursor().baseline_at is None:
        return SweepResult("efts", 0, 0, 0, (), "no baseline yet (the first poll sets it)")
    if not is_business_day(day):
        return SweepResult("efts", 0, 0, 0, (), f"{day} is not a filing day")
    known = storage.state.search_total(day)
    scan = sources.full_text_search(client, day, max_pages=poll.efts_max_pages, known_total=known)
    if scan.complete and scan.total != known:
        storage.state.save_search_total(day, scan.total)
    if not scan.complete:
        logger.warning(
            "full-text search listed %d hits for %s; %d pages were read (poll.efts_max_pages)",
            scan.total,
            day,
            scan.pages,
        )
    return _sighted(
        storage, watchlist, poll, rules, on_recorded, "efts", scan.pages, scan.filings, metrics
    )


def _sighted(
    storage: Storage,
    watchlist: Watchlist,
    poll: PollSettings,
    rules: Sequence[Rule],
    on_recorded: FilingListener | None,
    source: str,
    pages: int,
    filings: Sequence[Filing],
    metrics: Instruments,
) -> SweepResult:
    unseen = storage.state.unseen([f.accession for f in filings])
    lookback = timedelta(minutes=poll.lookback_minutes)
    recorder = Recorder(storage, watchlist, lookback, on_recorded, rules, metrics)
    recorded = recorder.sighted(filings, source=source)
    if unseen:
        logger.info(
            "%s: %d of %d accessions not shown before by any source (%d of watched companies)",
            source,
            len(unseen),
            len(filings),
            len(recorded),
        )
    return SweepResult(source, pages, len(filings), len(unseen), tuple(recorded))
