"""The replay's sense of time: the wall clock, or a simulated one tests control.

Everything in the replay that depends on *when* — which filings the feed
shows, the feed's `<title>`/`<updated>`, when an index page or a daily index
exists, what EFTS has indexed — reads `Clock.now()`. Rate-limit windows and
the 403 block do not: they stay on real monotonic time, because that is what
a client's request rate is measured in.

`ReplayClock` starts at a chosen Eastern instant and runs from there at real
speed, or `speed` times faster (a whole business day in a minute at 600), or
not at all (`speed=0`: it moves only by `set()`/`advance()`, which makes
tests exact).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

from edgarwatch.filing import EASTERN


def eastern(moment: datetime | str) -> datetime:
    """An aware datetime; naive values and ISO strings are read as US Eastern time.

    `eastern("2026-03-09 05:59:50")` is 05:59:50 EDT on Monday 9 March 2026.
    """
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.strip())
    if moment.tzinfo is None:
        return moment.replace(tzinfo=EASTERN)
    return moment


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant (timezone-aware)."""
        ...


class WallClock:
    """Real time: the replay's default, as it always was."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ReplayClock:
    """A simulated clock: starts at `start` (Eastern if naive) and runs at `speed`.

    `speed=1` runs at real speed, `600` turns a 10-hour business day into a
    minute, `0` stands still until `set()` or `advance()`. Thread-safe.
    """

    def __init__(self, start: datetime | str, *, speed: float = 1.0) -> None:
        if speed < 0:
            raise ValueError("speed cannot be negative")
        self._lock = threading.Lock()
        self._anchor = eastern(start).astimezone(EASTERN)
        self._anchored_at = time.monotonic()
        self._speed = float(speed)

    def now(self) -> datetime:
        with self._lock:
            return self._now_locked()

    def _now_locked(self) -> datetime:
        elapsed = (time.monotonic() - self._anchored_at) * self._speed
        return (self._anchor + timedelta(seconds=elapsed)).astimezone(EASTERN)

    def set(self, moment: datetime | str) -> datetime:
        """Jump to `moment` (forwards or backwards); the clock keeps its speed."""
        with self._lock:
            self._anchor = eastern(moment).astimezone(EASTERN)
            self._anchored_at = time.monotonic()
            return self._anchor

    def advance(self, delta: float | timedelta) -> datetime:
        """Move forwards by `delta` (seconds or a timedelta); returns the new now."""
        step = delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
        with self._lock:
            self._anchor = self._now_locked() + step
            self._anchored_at = time.monotonic()
            return self._anchor

    @property
    def speed(self) -> float:
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        if value < 0:
            raise ValueError("speed cannot be negative")
        with self._lock:
            self._anchor = self._now_locked()
            self._anchored_at = time.monotonic()
            self._speed = float(value)

    def real_seconds(self, simulated: float | timedelta) -> float:
        """How long `simulated` time takes in real time at the current speed (inf if stopped)."""
        seconds = simulated.total_seconds() if isinstance(simulated, timedelta) else simulated
        return seconds / self._speed if self._speed else float("inf")

    def sleep_until(self, moment: datetime | str, stop: threading.Event | None = None) -> bool:
        """Wait in real time until the clock reaches `moment`.

        True once it has; False if `stop` was set first. With `speed=0` it
        waits for another thread to `set()`/`advance()` the clock.
        """
        target = eastern(moment)
        waiter = stop or threading.Event()
        while True:
            remaining = (target - self.now()).total_seconds()
            if remaining <= 0:
                return True
            # Re-check often: another thread may move or re-speed the clock.
            if waiter.wait(min(self.real_seconds(remaining), 0.05)):
                return False
