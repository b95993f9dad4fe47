"""What every cycle works with, built once at start-up and passed around."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from edgarwatch.config import Settings
from edgarwatch.daemon.watchlist import Watchlist, WatchlistSource
from edgarwatch.edgar.client import EdgarClient, Throttle
from edgarwatch.edgar.ratelimit import SharedRateLimiter
from edgarwatch.filing import Filing
from edgarwatch.notifiers.base import Notifier
from edgarwatch.storage import Storage
from edgarwatch.storage.timefmt import utc_now

logger = logging.getLogger(__name__)

FilingListener = Callable[[Filing, bool], None]
"""Called with each newly recorded matching filing and whether it may notify."""


@dataclass
class Context:
    settings: Settings
    storage: Storage
    client: EdgarClient
    watch_source: WatchlistSource
    watchlist: Watchlist
    notifiers: dict[str, Notifier]
    stop: threading.Event = field(default_factory=threading.Event)
    on_recorded: FilingListener | None = None

    @property
    def lookback(self) -> timedelta:
        return timedelta(minutes=self.settings.poll.lookback_minutes)

    def now(self) -> datetime:
        return utc_now()

    def close(self) -> None:
        for notifier in self.notifiers.values():
            notifier.close()
        self.client.close()
        self.storage.close()


def build_context(
    settings: Settings,
    storage: Storage,
    notifiers: dict[str, Notifier],
    *,
    stop: threading.Event | None = None,
    fetch_tickers: bool = True,
) -> Context:
    """Wire the client (with the SEC pause persisted in the database) and the watchlist."""
    stop = stop or threading.Event()

    def remember_block(until: datetime, reason: str) -> None:
        storage.state.set_time("sec_blocked_until", until)
        storage.state.put("sec_block_reason", reason)

    throttle = Throttle(
        timedelta(minutes=settings.edgar.throttle_pause_minutes),
        until=storage.state.get_time("sec_blocked_until"),
        on_block=remember_block,
    )
    throttle.reason = storage.state.get("sec_block_reason") or ""
    limiter = SharedRateLimiter(
        settings.edgar.requests_per_second, storage.path.with_name(storage.path.name + ".rate")
    )
    client = EdgarClient(settings.edgar, limiter=limiter, throttle=throttle, stop=stop)
    source = WatchlistSource(settings, storage, client)
    watchlist = source.load(fetch=fetch_tickers)
    context = Context(settings, storage, client, source, watchlist, notifiers, stop)
    if not context.watchlist.everyone and not context.watchlist.ciks:
        logger.warning("the watchlist is empty: set watch.ciks, watch.tickers, watch.file or all")
    return context
