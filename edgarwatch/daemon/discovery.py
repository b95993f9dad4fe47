"""Finding filings: reading the 8-K feed back to a point, and recording matches.

Shared by the fast tier (back to the cursor minus the look-back window) and
the catch-up tier (back to the last successful catch-up). The feed is not in
arrival order — a large submission can appear after filings accepted later
than it — so the scan goes back past the cursor by `poll.lookback_minutes`
and compares accessions, not only times.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from edgarwatch.daemon.context import Context
from edgarwatch.edgar.client import UnexpectedResponse
from edgarwatch.edgar.feed import parse_feed
from edgarwatch.edgar.paths import current_feed_path
from edgarwatch.filing import EASTERN, Filing

logger = logging.getLogger(__name__)

FEED_FORM = "8-K"
"""getcurrent's `type` is a prefix: 8-K, 8-K/A, 8-K12B, … in one feed."""
PAGE_SIZE = 100
FEED_PAGE_MAX_BYTES = 4 * 1024 * 1024
"""A real page of 100 entries is about 60 KB; anything near this is not EDGAR's feed."""
_LAST = datetime.max.replace(tzinfo=EASTERN)


@dataclass
class FeedScan:
    filings: list[Filing] = field(default_factory=list)
    pages: int = 0
    reached: bool = False
    """True when the scan got back to `stop_at` (or only one page was wanted)."""
    end_of_feed: bool = False
    oldest: datetime | None = None

    @property
    def newest(self) -> datetime | None:
        return max((f.accepted_at for f in self.filings if f.accepted_at), default=None)


def scan_feed(context: Context, stop_at: datetime | None, max_pages: int) -> FeedScan:
    """Read getcurrent pages newest-first until one reaches back past `stop_at`.

    `stop_at=None` reads one page. A 503 past the first page is EDGAR's "past
    the end" answer, not an outage.
    """
    scan = FeedScan()
    for start in range(0, max_pages * PAGE_SIZE, PAGE_SIZE):
        response = context.client.get(
            current_feed_path(FEED_FORM, start, PAGE_SIZE),
            ok_statuses=frozenset({200}) if start == 0 else frozenset({200, 503}),
            max_bytes=FEED_PAGE_MAX_BYTES,
        )
        if response.status == 503:
            scan.end_of_feed = True
            break
        try:
            page = parse_feed(response.content, context.client.rebaser)
        except ValueError as exc:
            raise UnexpectedResponse(f"{response.url} is not the Atom feed ({exc})") from None
        scan.pages += 1
        scan.filings.extend(page.filings)
        oldest = page.oldest_accepted_at
        scan.oldest = min(filter(None, (scan.oldest, oldest)), default=None)
        if stop_at is None or (oldest is not None and oldest < stop_at):
            scan.reached = True
            break
        if page.entry_count < PAGE_SIZE:
            scan.end_of_feed = True
            break
    return _deduplicated(scan)


def _deduplicated(scan: FeedScan) -> FeedScan:
    """A filing can straddle two pages (its roles split): merge by accession."""
    merged: dict[str, Filing] = {}
    for filing in scan.filings:
        known = merged.get(filing.accession)
        if known is None:
            merged[filing.accession] = filing
        else:
            companies = tuple(dict.fromkeys(known.companies + filing.companies))
            items = tuple(dict.fromkeys(known.items + filing.items))
            merged[filing.accession] = Filing(
                **{**known.__dict__, "companies": companies, "items": items}
            )
    scan.filings = list(merged.values())
    return scan


def is_eight_k(filing: Filing) -> bool:
    return filing.form.upper().startswith(FEED_FORM)


def may_notify(context: Context, filing: Filing) -> bool:
    """Notify only what was accepted after this database's baseline, and after each
    matching company started being watched (history is recorded, not announced)."""
    baseline = context.storage.state.get_time("baseline_at")
    if baseline is None:
        return False
    moment = _when(filing)
    if moment is None:
        return False
    horizon = baseline - context.lookback
    if context.watchlist.everyone:
        return moment >= horizon
    added = context.storage.state.watched_since(filing.ciks) or baseline
    return moment >= max(horizon, added - context.lookback)


def _when(filing: Filing) -> datetime | None:
    if filing.accepted_at is not None:
        return filing.accepted_at
    if filing.filed is not None:  # daily index: the end of the filing day, Eastern
        return datetime.combine(filing.filed, datetime.max.time(), EASTERN)
    return None


def record_matches(
    context: Context, filings: Iterable[Filing], *, source: str, notify: bool | None = None
) -> list[Filing]:
    """Record every not-yet-recorded 8-K of a watched company; return the new ones.

    `notify=None` decides per filing (`may_notify`); True/False forces it
    (the baseline records with False, `backfill --notify` with True).
    """
    candidates = [f for f in filings if is_eight_k(f) and context.watchlist.matches(f)]
    if not candidates:
        return []
    known = context.storage.filings.recorded(f.accession for f in candidates)
    new = []
    for filing in sorted(candidates, key=lambda f: f.accepted_at or _LAST):
        if filing.accession in known:
            continue
        eligible = may_notify(context, filing) if notify is None else notify
        context.storage.filings.record(filing, source=source, notify=eligible)
        new.append(filing)
        logger.info(
            "recorded %s %s of %s (CIK %d), items %s%s",
            filing.form,
            filing.accession,
            filing.company,
            filing.cik,
            ",".join(filing.items) or "unknown yet",
            "" if eligible else " (history: not notified)",
        )
        if context.on_recorded:
            context.on_recorded(filing, eligible)
    return new
