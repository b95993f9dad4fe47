"""The fast tier: one poll of the "Latest Filings" 8-K feed, and the baseline.

Cost: one request of ten entries (~6 KB) and no database write when nothing
is new, however many companies are watched and whatever happened in the last
half hour: the poll stops at the first accession it has already seen
(accession, never time, decides what is new). When all ten are new it
pages back with `count=100` to the first known accession, so a burst loses
nothing; a feed that ends before one sets the catch-up due.

On a new database the first poll records a baseline: the feed back
`poll.sweep_hours` and today's full-text search, every accession remembered,
none notified. From then on an accession a live source shows for the first
time is news (`edgarwatch.policy`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from edgarwatch.config import PollSettings
from edgarwatch.daemon.discovery import FilingListener, Recorder
from edgarwatch.daemon.watchlist import Watchlist
from edgarwatch.edgar import sources
from edgarwatch.edgar.client import EdgarBlocked, EdgarClient, EdgarError, Interrupted
from edgarwatch.edgar.sources import FeedScan
from edgarwatch.filing import EASTERN, Filing
from edgarwatch.metrics import NO_METRICS, Instruments
from edgarwatch.policy import Rule
from edgarwatch.storage import FeedCursor, Storage
from edgarwatch.storage.timefmt import utc_now

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PollResult:
    pages: int
    new_on_feed: int
    recorded: tuple[Filing, ...]
    baseline: bool
    gap: bool

    @property
    def news(self) -> int:
        return len(self.recorded)


def poll_feed(
    storage: Storage,
    client: EdgarClient,
    watchlist: Watchlist,
    poll: PollSettings,
    *,
    on_recorded: FilingListener | None = None,
    rules: Sequence[Rule] = (),
    now: datetime | None = None,
    metrics: Instruments = NO_METRICS,
) -> PollResult:
    """Read the top of the feed down to known ground and record every new matching filing."""
    now = now or utc_now()
    recorder = Recorder(
        storage, watchlist, timedelta(minutes=poll.lookback_minutes), on_recorded, rules, metrics
    )
    saved = storage.state.feed_cursor()
    if saved.baseline_at is None:
        return establish_baseline(recorder, client, poll, now)
    scan = sources.newest_filings(client, storage.state.seen_of, poll.max_feed_pages)
    new = storage.state.unseen([f.accession for f in scan.filings])
    recorded = recorder.sighted(scan.filings, source="feed")
    gap = not feed_covered(scan, saved.position)
    cursor = FeedCursor(saved.baseline_at, _newest(scan, saved.position))
    if cursor != saved or gap:  # an idle poll writes nothing
        storage.state.save_feed_cursor(cursor, catch_up_due=gap)
    if gap:
        logger.warning(
            "the feed ended (%d pages) before reaching an accession already seen: "
            "the sweep and the catch-up tier will fill the gap",
            scan.pages,
        )
    return PollResult(scan.pages, len(new), tuple(recorded), False, gap)


def establish_baseline(
    recorder: Recorder, client: EdgarClient, poll: PollSettings, now: datetime
) -> PollResult:
    """The first poll of a database: everything the live sources show now is the
    baseline — remembered, recorded when watched, never notified."""
    storage = recorder.storage
    scan = sources.latest_filings(
        client, now - timedelta(hours=poll.sweep_hours), poll.max_feed_pages
    )
    found = list(scan.filings)
    if poll.efts_seconds:
        try:
            day = now.astimezone(EASTERN).date()
            found += sources.full_text_search(client, day, max_pages=poll.efts_max_pages).filings
        except (EdgarBlocked, Interrupted):
            raise
        except EdgarError as exc:  # the feed alone is a baseline; EFTS adds today's rest
            logger.warning("full-text search unavailable for the baseline: %s", exc)
    new = storage.state.unseen([f.accession for f in found])
    recorded = recorder.sighted(found, source="feed")
    # Last, so the baseline is all or nothing: a poll that dies while recording it
    # leaves no baseline, and the next poll records the rest as baseline too.
    storage.state.save_feed_cursor(FeedCursor(now, scan.newest))
    logger.info(
        "first poll of this database: %d filings the feed and full-text search show recorded "
        "as the baseline (%d of watched companies); nothing before now is notified",
        len(new),
        len(recorded),
    )
    return PollResult(scan.pages, len(new), tuple(recorded), True, False)


def feed_covered(scan: FeedScan, position: datetime | None) -> bool:
    """Did the poll reach known ground? Yes when a page held an accession already seen.
    When the feed ended first (a short page, or 503), it showed everything it holds:
    covered, unless it no longer reaches back to the newest acceptance time seen before
    (`position`) — then what lay between has fallen off its end: a gap. `max_pages`
    running out before known ground is a gap too."""
    if scan.reached:
        return True
    if not scan.end_of_feed:
        return False
    return position is None or scan.oldest is None or scan.oldest <= position


def _newest(scan: FeedScan, position: datetime | None) -> datetime | None:
    newest = scan.newest
    return newest if newest and (position is None or newest > position) else position
