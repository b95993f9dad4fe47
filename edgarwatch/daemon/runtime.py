"""The one wiring point: `build_runtime` makes what `run`, `poll`, `demo`, `backfill`
and `watch` run on — storage, the EDGAR client, the watchlist, notifiers, dispatcher.

A `Runtime` is data, not a service locator: the scheduler and the CLI hand its
parts to the cycles (plain functions taking what they use).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from edgarwatch.config import Settings
from edgarwatch.daemon.discovery import FilingListener
from edgarwatch.daemon.watchlist import Watchlist, WatchlistSource
from edgarwatch.edgar.client import EdgarClient, Throttle
from edgarwatch.edgar.ratelimit import SharedRateLimiter
from edgarwatch.metrics import NO_METRICS, Instruments
from edgarwatch.notifiers.base import Notifier, notifier_for
from edgarwatch.notifiers.dispatch import Dispatcher
from edgarwatch.storage import SecBlock, Storage, process_owner
from edgarwatch.storage.timefmt import utc_now

logger = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Everything a command or the daemon runs on, wired once by `build_runtime`."""

    settings: Settings
    storage: Storage
    client: EdgarClient
    watch_source: WatchlistSource
    watchlist: Watchlist
    """The watchlist in force; the poll cycle replaces it when its sources change."""
    notifiers: dict[str, Notifier]
    dispatcher: Dispatcher
    stop: threading.Event = field(default_factory=threading.Event)
    on_recorded: FilingListener | None = None
    clock: Callable[[], datetime] = utc_now
    """Now, for what depends on EDGAR's time (filing hours, the morning release,
    today's full-text search, the baseline): the benchmarks run it simulated."""
    metrics: Instruments = NO_METRICS
    """What the parts report to (`edgarwatch run` with `[http] listen`), else nothing."""

    def new_client(self, source: str = "other") -> EdgarClient:
        """Another client for another thread: its own HTTP session, the same identity,
        rate limit (shared by every process on this database), SEC pause and queue at
        the limiter (`turns`: the poll first, documents last). `source` names its
        requests in the metrics (sweep, efts, reconcile, documents) and its turn."""
        return EdgarClient(
            self.settings.edgar,
            limiter=self.client.limiter,
            throttle=self.client.throttle,
            stop=self.stop,
            source=source,
            metrics=self.metrics,
            turns=self.client.turns,
        )

    def close(self) -> None:
        for notifier in self.notifiers.values():
            notifier.close()
        self.client.close()
        self.storage.close()


def build_notifiers(settings: Settings) -> dict[str, Notifier]:
    return {channel.name: notifier_for(channel) for channel in settings.channels}


def build_runtime(
    settings: Settings,
    *,
    storage: Storage | None = None,
    notifiers: dict[str, Notifier] | None = None,
    stop: threading.Event | None = None,
    fetch_tickers: bool = True,
    on_recorded: FilingListener | None = None,
    clock: Callable[[], datetime] = utc_now,
    metrics: Instruments = NO_METRICS,
) -> Runtime:
    """Open the database (claims of dead processes released), wire the client (its SEC
    pause persisted in the database, its rate shared by every process on it), load
    the watchlist (`fetch_tickers=False`: from the cached tickers only) and the channels."""
    stop = stop or threading.Event()
    storage = storage or Storage.open(settings.storage.path)
    released = storage.outbox.release_dead_claims() + storage.messages.release_dead_claims()
    if released:
        logger.info("released %d notification(s) claimed by a process that died", released)
    client = _client(settings, storage, stop, metrics)
    source = WatchlistSource(settings, storage, client)
    watchlist = source.load(fetch=fetch_tickers)
    if watchlist.empty:  # pending tickers (not fetched yet) are not an empty watchlist
        logger.warning(
            "the watchlist is empty: set watch.ciks, watch.tickers, watch.file, all or parties"
        )
    notifiers = build_notifiers(settings) if notifiers is None else notifiers
    dispatcher = Dispatcher(
        storage, notifiers, settings.notify, process_owner(), stop=stop, metrics=metrics
    )
    return Runtime(
        settings,
        storage,
        client,
        source,
        watchlist,
        notifiers,
        dispatcher,
        stop,
        on_recorded,
        clock,
        metrics,
    )


def _client(
    settings: Settings, storage: Storage, stop: threading.Event, metrics: Instruments
) -> EdgarClient:
    def remember_block(until: datetime, reason: str) -> None:
        metrics.sec_blocked(until, reason)
        storage.state.save_sec_block(SecBlock(until, reason))

    block = storage.state.sec_block()
    throttle = Throttle(
        timedelta(minutes=settings.edgar.throttle_pause_minutes),
        until=block.until if block else None,
        on_block=remember_block,
    )
    throttle.reason = block.reason if block else ""
    limiter = SharedRateLimiter(
        settings.edgar.requests_per_second, storage.path.with_name(storage.path.name + ".rate")
    )
    metrics.watch_sec_block(lambda: throttle.active)
    return EdgarClient(
        settings.edgar,
        limiter=limiter,
        throttle=throttle,
        stop=stop,
        source="poll",
        metrics=metrics,
    )
