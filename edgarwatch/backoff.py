"""Exponential backoff with full jitter, shared by the EDGAR client and the dispatcher.

"Full jitter" (Brooker, "Exponential Backoff And Jitter", AWS Architecture
Blog, 2015): wait a uniformly random time between 0 and the exponential
ceiling. It spreads retries of many clients (or many outbox rows) apart
instead of having them hammer a recovering server in lock-step.
"""

from __future__ import annotations

import random


def full_jitter(
    attempt: int, *, base: float, cap: float, rng: random.Random | None = None
) -> float:
    """Seconds to wait before retry number `attempt` (1 = the first retry)."""
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return (rng or random).uniform(0, ceiling)


def retry_delay(
    attempt: int, *, base: float, cap: float, retry_after: float | None = None
) -> float:
    """Full jitter, but never sooner than a server's Retry-After."""
    delay = full_jitter(attempt, base=base, cap=cap)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay
