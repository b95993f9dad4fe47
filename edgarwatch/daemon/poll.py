"""The fast tier: one poll of the "Latest Filings" 8-K feed.

Cost: one request when nothing is new, however many companies are watched
(the feed is global). When more arrived since the last poll than one page
holds, it pages back (`start=100, 200, …`) until it reaches the cursor minus
the look-back window. On a new database the first page is recorded as the
baseline and nothing on it is notified.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from edgarwatch.config import PollSettings
from edgarwatch.daemon.discovery import FilingListener, Recorder
from edgarwatch.daemon.watchlist import Watchlist
from edgarwatch.edgar.client import EdgarClient
from edgarwatch.edgar.sources import FeedScan, latest_filings
from edgarwatch.filing import Filing
from edgarwatch.policy import NotifyPolicy
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


def poll_feed(
    storage: Storage,
    client: EdgarClient,
    watchlist: Watchlist,
    poll: PollSettings,
    *,
    on_recorded: FilingListener | None = None,
) -> PollResult:
    """Read the feed back to the cursor and record every new matching filing."""
    started = utc_now()
    lookback = timedelta(minutes=poll.lookback_minutes)
    saved = storage.state.feed_cursor()
    baseline = saved.baseline_at is None
    cursor = saved.position or saved.baseline_at
    stop_at = None if cursor is None else cursor - lookback
    scan = latest_filings(client, stop_at, poll.max_feed_pages)
    unseen = storage.state.unseen([f.accession for f in scan.filings])
    new = [f for f in scan.filings if f.accession in unseen]
    recorder = Recorder(storage, watchlist, lookback, on_recorded)
    recorded = recorder.record(
        new, source="feed", policy=NotifyPolicy.BASELINE if baseline else None
    )
    storage.state.mark_seen(new)
    gap = not baseline and not feed_covered(scan, cursor)
    # Last, so the baseline is all or nothing: a poll that dies while recording it
    # leaves no baseline, and the next poll records the rest as baseline too.
    newest = scan.newest
    position = newest if newest and (cursor is None or newest > cursor) else saved.position
    storage.state.save_feed_cursor(
        FeedCursor(saved.baseline_at or started, position), catch_up_due=gap
    )
    if gap:
        logger.warning(
            "the feed ended (%d pages) before reaching the last poll's cursor %s: "
            "the catch-up tier will fill the gap",
            scan.pages,
            cursor.isoformat() if cursor else "-",
        )
    if baseline:
        logger.info(
            "first poll of this database: %d filings on the feed recorded as the baseline "
            "(%d of watched companies); nothing before now is notified",
            len(new),
            len(recorded),
        )
    return PollResult(scan.pages, len(new), tuple(recorded), baseline, gap)


def feed_covered(scan: FeedScan, cursor: datetime | None) -> bool:
    """Did the scan show everything accepted since `cursor`?

    Yes when it reached back past `cursor` minus the look-back window; when
    the feed ended (a short page, or 503) holding nothing at all; or when it
    ended at or before the cursor itself — the look-back window is for late
    arrivals. A feed that ends after the cursor has dropped entries: a gap.
    """
    if scan.reached:
        return True
    if scan.oldest is None:
        return scan.end_of_feed
    return cursor is not None and scan.oldest <= cursor
