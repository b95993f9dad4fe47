"""The fast tier's coverage rule: did one poll see everything since the cursor?"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from edgarwatch.daemon.poll import feed_covered
from edgarwatch.edgar.sources import FeedScan
from edgarwatch.filing import EASTERN

CURSOR = datetime(2026, 1, 5, 10, 0, tzinfo=EASTERN)
MINUTE = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("scan", "cursor", "covered"),
    [
        # Paged back past the cursor minus the look-back window: everything seen.
        (FeedScan(reached=True, oldest=CURSOR - 40 * MINUTE), CURSOR, True),
        # One page wanted (no cursor yet) and read.
        (FeedScan(reached=True, oldest=CURSOR), None, True),
        # The feed is empty (a 503 on page one's successor, nothing on it).
        (FeedScan(end_of_feed=True), CURSOR, True),
        # The feed ended inside the look-back window: at or before the cursor itself.
        (FeedScan(end_of_feed=True, oldest=CURSOR), CURSOR, True),
        (FeedScan(end_of_feed=True, oldest=CURSOR - MINUTE), CURSOR, True),
        # The feed ended after the cursor: entries between them are gone.
        (FeedScan(end_of_feed=True, oldest=CURSOR + MINUTE), CURSOR, False),
        # max_feed_pages ran out before the cursor.
        (FeedScan(pages=50, oldest=CURSOR + 5 * MINUTE), CURSOR, False),
        # Nothing to compare with: not reached and no cursor.
        (FeedScan(end_of_feed=True, oldest=CURSOR), None, False),
        (FeedScan(), CURSOR, False),
    ],
)
def test_it_decides_whether_the_feed_was_covered_back_to_the_cursor(
    scan: FeedScan, cursor: datetime | None, covered: bool
) -> None:
    assert feed_covered(scan, cursor) is covered
