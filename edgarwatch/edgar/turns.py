"""Whose turn it is at the rate limiter: the poll, then the other finders, then readers.

The rate limiter (`ratelimit.py`) holds the SEC's rate; it does not choose
who gets the next free slot, and during a burst the readers keep every slot
busy: a poll that waits its chance among them goes unpolled for seconds
(issue 8.14: 11 s at a 1 s interval; 4 s with the readers of a 500-filing
burst on a 5/s limit). So the threads of a process take their turn at the
limiter by priority, first come first served within one: the poll's next
request gets the next slot, the sweep, full-text search and the catch-up
the one after, and the readers every slot the others leave. Processes
sharing the limiter's file still take slots as they come.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager

POLL = 0
"""The fast tier's poll (and what runs in its thread)."""
SEARCH = 1
"""The sweep, full-text search, the catch-up tier, commands."""
READ = 2
"""Reading filings' documents."""

_BY_SOURCE = {"poll": POLL, "documents": READ}


def priority_of(source: str) -> int:
    """A client's turn by what it sends (`EdgarClient.source`): the poll's first, the
    documents' last, everything else in between."""
    return _BY_SOURCE.get(source, SEARCH)


class Turns:
    """One queue, by (priority, arrival), in front of the shared rate limiter."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._waiting: list[tuple[int, int]] = []
        self._tickets = itertools.count()
        self._busy = False

    @contextmanager
    def turn(self, priority: int) -> Iterator[None]:
        """Hold the turn (no other thread of this process waits at the limiter) until
        the block ends; the most urgent waiter has it next."""
        ticket = (priority, next(self._tickets))
        with self._changed:
            heapq.heappush(self._waiting, ticket)
            while self._busy or self._waiting[0] != ticket:
                self._changed.wait()
            heapq.heappop(self._waiting)
            self._busy = True
        try:
            yield
        finally:
            with self._changed:
                self._busy = False
                self._changed.notify_all()
