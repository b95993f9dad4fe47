"""The read loop: filings' documents read by a few workers, in the order that matters.

Polling, reading filings and delivering are separate loops: a burst of 500
filings never holds the poll, and a slow channel never holds either. The
queue is the database (`filings` still `pending`), ordered by
`read_priority` — news whose declared items already match a rule first (the
feed summary, EFTS and submissions JSON say which items a filing reports
before its documents are read), then other news, then history — oldest
first within each. `poll.readers` workers share it through one in-flight
registry, so no filing is read twice at once, whichever source (poll, sweep,
EFTS, catch-up) recorded it; they all go through the shared SEC rate limiter.

A worker sleeps until woken (`wake()`: something was recorded) or until the
next retry is due. Waking them first queues the notifications that what EDGAR
declared already decides (`enrich.announce_declared`), so a burst's summary
need not wait for every document to be read. The SEC's pause (403/429) parks every worker until it ends;
a database that cannot be written is said once and retried.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime

from edgarwatch.daemon.enrich import Reader, announce_declared
from edgarwatch.daemon.watchlist import Watchlist
from edgarwatch.edgar.client import EdgarBlocked, EdgarClient, Interrupted
from edgarwatch.policy import NotifySettings
from edgarwatch.storage import PendingFiling, Storage, StorageError
from edgarwatch.storage.timefmt import utc_now

logger = logging.getLogger(__name__)

IDLE_SECONDS = 5.0
"""A worker with nothing due looks again this often (sooner when woken)."""


class InFlight:
    """Accessions being read right now, by any worker of this process."""

    def __init__(self) -> None:
        self._accessions: set[str] = set()
        self._lock = threading.Lock()

    def claim(self, storage: Storage, now: datetime) -> PendingFiling | None:
        """The first due filing no one is reading, marked as being read."""
        with self._lock:
            due = storage.filings.due_for_enrichment(now, limit=1, skip=self._accessions)
            if not due:
                return None
            self._accessions.add(due[0].filing.accession)
            return due[0]

    def release(self, accession: str) -> None:
        with self._lock:
            self._accessions.discard(accession)

    def __len__(self) -> int:
        with self._lock:
            return len(self._accessions)


class ReadLoop:
    """`workers` threads reading the queue until `stop` is set."""

    def __init__(
        self,
        storage: Storage,
        clients: Callable[[], EdgarClient],
        notify: NotifySettings,
        channels: Sequence[str],
        *,
        watchlist: Callable[[], Watchlist],
        stop: threading.Event,
        workers: int = 3,
        on_queued: Callable[[], None] = lambda: None,
    ) -> None:
        self.storage = storage
        self.clients = clients
        self.notify = notify
        self.channels = list(channels)
        self.watchlist = watchlist
        self.stop = stop
        self.workers = workers
        self.on_queued = on_queued
        self.in_flight = InFlight()
        self._wake = threading.Event()
        self._announcing = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._storage_failing = False

    def start(self) -> None:
        for n in range(self.workers):
            thread = threading.Thread(target=self._run, name=f"reader-{n + 1}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def wake(self) -> None:
        """Something was recorded: queue what its declared items decide, and look at the
        queue now."""
        try:
            with self._announcing:
                queued = announce_declared(
                    self.storage, self.notify, self.channels, self.watchlist()
                )
        except StorageError as exc:
            logger.warning("cannot queue notifications ahead of reading (%s)", exc)
            queued = 0
        self._wake.set()
        if queued:
            self.on_queued()

    def join(self, timeout: float) -> list[str]:
        """Wait for the workers to finish the filing in hand; the names of those still busy."""
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout / max(1, len(self._threads)))
        return [t.name for t in self._threads if t.is_alive()]

    def _run(self) -> None:
        client = self.clients()
        reader = Reader(self.storage, client, self.notify, self.channels, self.watchlist)
        try:
            while not self.stop.is_set():
                if not self._step(reader, client):
                    self._sleep()
        finally:
            client.close()

    def _step(self, reader: Reader, client: EdgarClient) -> bool:
        """Read one filing; False when there was nothing to read (or reading must wait)."""
        try:
            pending = self.in_flight.claim(self.storage, utc_now())
        except StorageError as exc:
            self._storage_trouble(exc)
            return False
        if pending is None:
            return False
        try:
            if reader.enrich(pending):
                self.on_queued()
            self._storage_recovered()
        except EdgarBlocked as exc:
            logger.info("readers wait for the SEC's pause to end (%s)", exc.until.isoformat())
            self.stop.wait(max(1.0, (exc.until - utc_now()).total_seconds()))
        except Interrupted:
            pass
        except StorageError as exc:
            self._storage_trouble(exc)
            return False
        finally:
            self.in_flight.release(pending.filing.accession)
        return True

    def _sleep(self) -> None:
        try:
            due = self.storage.filings.next_enrichment_due()
        except StorageError:
            due = None
        seconds = IDLE_SECONDS
        if due is not None:
            seconds = min(seconds, max(0.05, (due - utc_now()).total_seconds()))
        self._wake.wait(seconds)
        self._wake.clear()

    def _storage_trouble(self, exc: StorageError) -> None:
        if not self._storage_failing:
            logger.error("readers cannot use the database (%s); retrying", exc)
            self._storage_failing = True
        self.stop.wait(IDLE_SECONDS)

    def _storage_recovered(self) -> None:
        if self._storage_failing:
            logger.info("readers can use the database again")
            self._storage_failing = False
