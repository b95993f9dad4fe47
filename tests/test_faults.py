"""kill -9 at random moments while 100 notifications are dispatched, 20 trials.

At-least-once: nothing is ever lost, and a kill costs at most one duplicate
(the message in flight). `benchmarks/crash_dispatch.py` prints the figures.
"""

from __future__ import annotations

import pytest

from benchmarks.crash_dispatch import run


@pytest.mark.timeout(900)  # 20 trials, two daemon starts each
def test_it_loses_nothing_and_duplicates_at_most_one_per_kill() -> None:
    trials = run(trials=20, count=100)
    assert len(trials) == 20
    assert sum(t.killed_mid_dispatch for t in trials) >= 15  # the kills did land mid-dispatch
    assert [t.lost for t in trials] == [0] * 20
    assert all(t.duplicates <= 1 for t in trials)
