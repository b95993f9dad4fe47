"""Retry timing shared by the EDGAR client and the notifiers.

Exponential backoff with full jitter, `Retry-After` parsing, and a one-line
description of a network failure that never quotes the URL it failed on.

"Full jitter" (Brooker, "Exponential Backoff And Jitter", AWS Architecture
Blog, 2015): wait a uniformly random time between 0 and the exponential
ceiling. It spreads retries of many clients (or many outbox rows) apart
instead of having them hammer a recovering server in lock-step.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from edgarwatch.secrets import redact


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


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a `Retry-After` header asks us to wait, or None when absent or unreadable.

    RFC 9110 section 10.2.3: either delay-seconds (Slack sends `Retry-After: 30`)
    or an HTTP-date; a date in the past means "now" (0).
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def root_cause(exc: BaseException) -> str:
    """The innermost socket error's description (`Connection refused`), else a class name.

    HTTP and SMTP libraries wrap the socket error several times over, and their
    messages quote the request URL, which for a webhook is the secret: error
    messages are built from this instead.
    """
    found = type(exc).__name__
    current: BaseException | None = exc
    for _ in range(10):
        if current is None:
            break
        if isinstance(current, OSError) and current.strerror:
            found = current.strerror
        reason = getattr(current, "reason", None)
        first = current.args[0] if current.args else None
        if isinstance(reason, BaseException):
            current = reason
        elif current.__cause__ or current.__context__:
            current = current.__cause__ or current.__context__
        else:
            current = first if isinstance(first, BaseException) else None
    return redact(found)
