"""The delivery loop: the dispatcher in a thread of its own, woken when rows are queued.

Polling never waits on delivery: readers queue outbox rows and `wake()` this
loop, which runs a dispatch pass at once (each channel served by its own
worker within the pass), and again every `notify.dispatch_seconds` for rows
whose retry time has come.
"""

from __future__ import annotations

import logging
import threading

from edgarwatch.daemon.runtime import Runtime
from edgarwatch.storage import StorageError

logger = logging.getLogger(__name__)


class DeliveryLoop:
    def __init__(self, runtime: Runtime, stop: threading.Event) -> None:
        self.runtime = runtime
        self.stop = stop
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="delivery", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        """Rows were queued: deliver now."""
        self._wake.set()

    def join(self, timeout: float) -> list[str]:
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return [self._thread.name] if self._thread.is_alive() else []

    def _run(self) -> None:
        period = self.runtime.settings.notify.dispatch_seconds
        while not self.stop.is_set():
            try:
                self.runtime.dispatcher.dispatch()
            except StorageError:
                logger.exception("dispatch could not use the database")
            except Exception:
                logger.exception("dispatch failed; the next pass will retry")
            self._wake.wait(period)
            self._wake.clear()
