"""One rate limiter shared by every request the daemon makes to the SEC.

sec.gov allows 10 requests per second per client, "regardless of the number
of machines"; we default to 5. The limiter spaces request *starts* evenly,
one per 1/rate seconds, with no bursts: a window limiter that lets N starts
go at once and the next N exactly one window later is at the limit on paper
and over it at the SEC, where arrivals jitter (users have been blocked at
9.7/s, secedgar issue 280; the replay counted 11 in one second). Even
spacing at no more than `EFFECTIVE_CEILING` per second, whatever is
configured, leaves that jitter room: at 8/s any second holds at most 9
starts, so arrivals can shift by up to 1/8 s each and still never make 11.

It is small enough to own: pyrate-limiter would add a background leak
thread per bucket and an API that changed at each major version, for what
is twenty lines here.
"""

from __future__ import annotations

import fcntl
import math
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

EFFECTIVE_CEILING = 8.0
"""Starts per second never exceed this, whatever `edgar.requests_per_second` says:
the SEC's 10 less a margin for jitter between our start and its count."""

SPACING_MARGIN = 1.05
"""Starts are 5% further apart than 1/rate: between a start and its arrival at the
SEC lie milliseconds to tens of them (a thread waiting for the interpreter, a new
connection), and evenly spaced starts exactly 1/rate apart let two arrivals land a
little closer — six in one second at 5/s. With 5% more, six arrivals in a second
need 50 ms of jitter at 5/s, so the SEC counts no more than the configured rate."""

STALE_RESERVATION_SECONDS = 60.0
"""A start reserved further ahead than this is not from a live process: the
shared file outlived a reboot (CLOCK_MONOTONIC starts again at boot)."""


class RateLimiter:
    """Blocks `acquire()` callers so that starts are at least 1/rate seconds apart."""

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
        ceiling: float | None = EFFECTIVE_CEILING,
    ) -> None:
        """`ceiling=None` only for simulations whose requests never reach the SEC."""
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.configured = rate
        self.rate = min(rate, ceiling) if ceiling else rate
        self.interval = SPACING_MARGIN / self.rate
        self._last = -math.inf
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep

    def acquire(self) -> float:
        """Wait for a slot; return the start time it was given (on `clock`).

        Each caller reserves the next free slot under the lock and sleeps
        outside it, so threads queue in order without holding each other up.
        """
        with self._lock:
            now = self._clock()
            start = max(now, self._last + self.interval)
            self._last = start
        return self._wait_until(start, now)

    def _wait_until(self, start: float, now: float) -> float:
        if start > now:
            self._sleep(start - now)
        return start


class SharedRateLimiter(RateLimiter):
    """The same spacing, shared by every edgarwatch process that uses `path`.

    The SEC counts requests per client, not per process: the daemon, an
    operator's `edgarwatch backfill` and a `watch add` together must stay under
    the rate. The last reserved start lives in a small file beside the
    database, read and rewritten in place under an exclusive `flock`. Times are
    CLOCK_MONOTONIC, which is system-wide on Linux; a reservation implausibly
    far ahead is from before a reboot and is ignored. (Earlier versions wrote
    several start times; the latest of them is read as the last start.)
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
        with self._lock, _open_private(self.path) as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            now = self._clock()
            last = max(
                (s for s in _read_starts(handle) if s <= now + STALE_RESERVATION_SECONDS),
                default=-math.inf,
            )
            start = max(now, last + self.interval)
            _write_start(handle, start)
        return self._wait_until(start, now)


def _open_private(path: Path) -> BinaryIO:
    """The rate file, created 0600 like the database beside it."""
    return os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, 0o600), "r+b")


def _read_starts(handle: BinaryIO) -> list[float]:
    handle.seek(0)
    starts = []
    for word in handle.read(65536).split():
        try:
            starts.append(float(word))
        except ValueError:
            continue  # a torn or foreign file costs nothing but its slot
    return [s for s in starts if math.isfinite(s)]


def _write_start(handle: BinaryIO, start: float) -> None:
    """Overwrite in place, padded with spaces to the file's length. Truncating and
    writing again dirties a fresh page per request: the kernel charges the process
    4 KiB each time (4 KiB a poll at a 1 s interval); rewriting one dirty page costs
    nothing more until it is written back."""
    size = handle.seek(0, os.SEEK_END)
    handle.seek(0)
    handle.write(f"{start:.6f}".encode().ljust(size))
    handle.flush()
