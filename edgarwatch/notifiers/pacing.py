"""Pacing: when a channel may send its next message.

Each notifier holds one `Pacer`. Two things set it:

* the channel's own minimum interval between messages
  (`min_interval_seconds`, counted from the *end* of the previous send, so
  arrivals at the service are at least that far apart whatever the network
  did): Slack asks for "no more than one message per second" per webhook
  (api.slack.com/docs/rate-limits, notes/slack.md);
* what the service said: a 429's Retry-After, or Discord's
  `X-RateLimit-Remaining: 0` with `X-RateLimit-Reset-After` on any answer
  (notes/discord.md). `pause(seconds)` holds the whole channel, not only the
  row that was refused: a rate limit is the webhook's, not the message's.

The dispatcher waits for `wait()` before every send on the channel. A burst
of 50 filings then goes out at the service's pace instead of as 50 posts in a
second and a storm of 429s.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

MAX_PAUSE_SECONDS = 3600.0
"""A service asking for longer than this is misread (Discord's old routes spoke
milliseconds, notes/discord.md): the pause is clamped, the row's own retry
time still applies."""


class Pacer:
    """When the next message may go: thread-safe, on a monotonic clock."""

    def __init__(
        self, min_interval: float = 0.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.min_interval = max(0.0, min_interval)
        self._clock = clock
        self._lock = threading.Lock()
        self._not_before = 0.0

    def wait(self) -> float:
        """Seconds until the channel may send (0: now)."""
        with self._lock:
            return max(0.0, self._not_before - self._clock())

    def sent(self) -> None:
        """A send just ended (accepted or not): the next waits the minimum interval."""
        self._hold(self.min_interval)

    def pause(self, seconds: float) -> None:
        """The service asked for quiet: nothing goes for `seconds` (clamped)."""
        self._hold(min(max(0.0, seconds), MAX_PAUSE_SECONDS))

    def _hold(self, seconds: float) -> None:
        with self._lock:
            self._not_before = max(self._not_before, self._clock() + seconds)
