"""One rate limiter shared by every request the daemon makes to the SEC.

sec.gov allows 10 requests per second per client, "regardless of the number
of machines"; we default to 5. A sliding window (at most N request starts in
any window of N/rate seconds) holds the rate exactly, whatever the mix of
feeds, documents and JSON and whichever thread asks. It is small enough to
own: pyrate-limiter would add a background leak thread per bucket and an API
that changed at each major version, for what is twenty lines here.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


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
        """Wait for a slot; return the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                while self._starts and now - self._starts[0] >= self.window:
                    self._starts.popleft()
                if len(self._starts) < self.burst:
                    self._starts.append(now)
                    return waited
                delay = self.window - (now - self._starts[0])
            self._sleep(delay)
            waited += delay
