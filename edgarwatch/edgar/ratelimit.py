"""One rate limiter shared by every request the daemon makes to the SEC.

sec.gov allows 10 requests per second per client, "regardless of the number
of machines"; we default to 5. A sliding window (at most N request starts in
any window of N/rate seconds) holds the rate exactly, whatever the mix of
feeds, documents and JSON and whichever thread asks. It is small enough to
own: pyrate-limiter would add a background leak thread per bucket and an API
that changed at each major version, for what is twenty lines here.
"""

from __future__ import annotations

import fcntl
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

_EPSILON = 1e-6
"""Float slack, so a wait computed to end exactly at the window's edge ends it."""


class RateLimiter:
    """Blocks `acquire()` callers so that starts never exceed `rate` per second."""

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = max(1, math.floor(rate))
        self.window = self.burst / rate
        self._starts: deque[float] = deque()
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep

    def acquire(self) -> float:
        """Wait for a slot; return the start time it was given (on `clock`)."""
        while True:
            with self._lock:
                now = self._clock()
                while self._starts and now - self._starts[0] >= self.window - _EPSILON:
                    self._starts.popleft()
                if len(self._starts) < self.burst:
                    self._starts.append(now)
                    return now
                delay = self.window - (now - self._starts[0])
            self._sleep(delay)


class SharedRateLimiter(RateLimiter):
    """The same window, shared by every edgarwatch process that uses `path`.

    The SEC counts requests per client, not per process: the daemon, an
    operator's `edgarwatch backfill` and a `watch add` together must stay under
    the rate. The window's start times live in a small file beside the
    database, read and rewritten under an exclusive `flock`. Times are
    CLOCK_MONOTONIC, which is system-wide on Linux; entries from before a
    reboot (in the "future") are dropped.
    """

    def __init__(
        self,
        rate: float,
        path: Path,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        super().__init__(rate, clock=clock, sleep=sleep)
        self.path = path

    def acquire(self) -> float:
        while True:
            with self._lock, self.path.open("a+b") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                now = self._clock()
                starts = [s for s in _read_starts(handle) if 0 <= now - s < self.window - _EPSILON]
                if len(starts) < self.burst:
                    _write_starts(handle, [*starts, now])
                    return now
                delay = self.window - (now - min(starts))
            self._sleep(delay)


def _read_starts(handle: BinaryIO) -> list[float]:
    handle.seek(0)
    starts = []
    for word in handle.read(65536).split():
        try:
            starts.append(float(word))
        except ValueError:
            continue  # a torn or foreign file costs a slot, never an error
    return starts


def _write_starts(handle: BinaryIO, starts: list[float]) -> None:
    handle.seek(0)
    handle.truncate()
    handle.write(" ".join(f"{s:.6f}" for s in starts).encode())
    handle.flush()
