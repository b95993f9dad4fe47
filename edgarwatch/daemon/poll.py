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

from edgarwatch.daemon.context import Context
from edgarwatch.daemon.discovery import record_matches
from edgarwatch.edgar.sources import latest_filings
from edgarwatch.filing import Filing

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PollResult:
    pages: int
    new_on_feed: int
    recorded: tuple[Filing, ...]
    baseline: bool
    gap: bool


def poll_feed(context: Context) -> PollResult:
    """Read the feed back to the cursor and record every new matching filing."""
    state = context.storage.state
    started = context.now()
    baseline_at = state.get_time("baseline_at")
    baseline = baseline_at is None
    cursor = state.get_time("feed_cursor") or baseline_at
    stop_at = None if cursor is None else cursor - context.lookback
    scan = latest_filings(context.client, stop_at, context.settings.poll.max_feed_pages)
    unseen = state.unseen([f.accession for f in scan.filings])
    new = [f for f in scan.filings if f.accession in unseen]
    recorded = record_matches(context, new, source="feed", notify=False if baseline else None)
    state.mark_seen(new)
    if baseline:
        # Last, so the baseline is all or nothing: a poll that dies while recording it
        # leaves no baseline, and the next poll records the rest as baseline too.
        state.set_time("baseline_at", started)
    newest = scan.newest
    if newest is not None and (cursor is None or newest > cursor):
        state.set_time("feed_cursor", newest)
    # The look-back window is for late arrivals; a feed that ends (short page or
    # 503) at or before the cursor itself, or holds nothing at all, has shown
    # everything since then. One that ends after the cursor has dropped entries.
    covered = (
        scan.reached
        or (scan.end_of_feed and scan.oldest is None)
        or (cursor is not None and scan.oldest is not None and scan.oldest <= cursor)
    )
    gap = not baseline and not covered
    if gap:
        state.put("catch_up_due", "1")
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
