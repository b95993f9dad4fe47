"""The fast tier's coverage rule: did one poll reach ground it had already seen?

Accession, never time, decides (EDGAR posts after-hours 8-Ks the next morning
at their evening acceptance time, so no time window can say what is new)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from edgarwatch.daemon.poll import feed_covered
from edgarwatch.edgar.sources import FeedScan
from edgarwatch.filing import EASTERN, Company, Filing

NOON = datetime(2026, 1, 5, 12, 0, tzinfo=EASTERN)
HOUR = timedelta(hours=1)
NEW = [Filing("0000000001-26-000001", "8-K", (Company(1, "A"),), "u", NOON)]


@pytest.mark.parametrize(
    ("scan", "position", "covered"),
    [
        # A page held an accession already seen: everything above it was read.
        (FeedScan(filings=list(NEW), reached=True, pages=1), NOON, True),
        (FeedScan(filings=list(NEW), reached=True, pages=4), None, True),
        # The feed is empty (nothing on it at all).
        (FeedScan(end_of_feed=True, pages=1), NOON, True),
        # The feed ended, still reaching back to what was seen before: it showed all.
        (FeedScan(filings=list(NEW), end_of_feed=True, oldest=NOON - HOUR), NOON, True),
        (FeedScan(filings=list(NEW), end_of_feed=True, oldest=NOON), NOON, True),
        # Nothing seen before (an empty baseline): a feed that ended showed all.
        (FeedScan(filings=list(NEW), end_of_feed=True, oldest=NOON), None, True),
        # The feed ended after the newest time seen before: what lay between is gone.
        (FeedScan(filings=list(NEW), end_of_feed=True, oldest=NOON + HOUR), NOON, False),
        # max_feed_pages ran out before known ground.
        (FeedScan(filings=list(NEW), pages=50, oldest=NOON - HOUR), NOON, False),
    ],
)
def test_it_decides_whether_the_poll_reached_known_ground(
    scan: FeedScan, position: datetime | None, covered: bool
) -> None:
    assert feed_covered(scan, position) is covered
