"""`edgarwatch run`: the daemon in the foreground, under systemd or not.

Three loops that never wait on each other:

* **finding** — APScheduler runs `poll` (the fast tier, by filing hours),
  `sweep` (the feed by accession; fast in the morning release), `efts`
  (full-text search, the second source) and `reconcile` (catch-up, hourly and
  at start-up), each `max_instances=1`, `coalesce=True`,
  `misfire_grace_time=None`: a late run still runs, once;
* **reading** — `poll.readers` workers read recorded filings' documents in
  the read queue's order (`readers.ReadLoop`), woken when a finder records;
* **delivering** — the dispatcher, woken when a reader queues notifications,
  and every `notify.dispatch_seconds` for retries.

With `[[digest]]` or `[alarms]` configured, two more jobs run every 30 s
(`monitor.Monitor`): `digest` queues each channel's daily digest when it is
owed, `alarms` raises and clears the alarms about the monitor itself; both
wake the dispatcher's worker of their channel. They decide from the database
and the clock, not from when they ran, so a late or skipped run loses nothing.

With `[http] listen` set, `/metrics` and `/healthz` are served from a thread
of their own (`http.HttpEndpoint`), from READY=1 until the stop begins.

The systemd watchdog judges the poll alone. SIGTERM/SIGINT set the stop flag
(HTTP backoffs, readers and the dispatcher check it), the scheduler shuts
down, the step in flight finishes, and the process exits 0 within 10 s.
SIGHUP re-reads the watchlist.
"""

from __future__ import annotations

import faulthandler
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from types import FrameType
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobExecutionEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler

from edgarwatch.config import Settings
from edgarwatch.daemon.cycles import Cycles
from edgarwatch.daemon.discovery import FilingListener
from edgarwatch.daemon.http import HttpEndpoint
from edgarwatch.daemon.monitor import Monitor
from edgarwatch.daemon.readers import ReadLoop
from edgarwatch.daemon.runtime import Runtime, build_runtime
from edgarwatch.daemon.schedule import CadenceTrigger, FilingHoursTrigger, cadence
from edgarwatch.daemon.systemd import SystemdNotifier, Watchdog
from edgarwatch.filing import EASTERN
from edgarwatch.notifiers.base import Notifier

logger = logging.getLogger(__name__)

STOP_DEADLINE_SECONDS = 8.0
"""Leaves systemd's (and the 10 s promise's) margin for closing the database."""


class Daemon:
    def __init__(
        self,
        settings: Settings,
        *,
        notifiers: dict[str, Notifier] | None = None,
        on_recorded: FilingListener | None = None,
        systemd: SystemdNotifier | None = None,
    ) -> None:
        self.settings = settings
        self.stop = threading.Event()
        self.systemd = systemd or SystemdNotifier()
        self.http = HttpEndpoint(settings)  # serves nothing unless [http] listen is set
        # No network before READY=1: the watchlist starts from the cached tickers and
        # the first poll refreshes them when they are a day old (or missing).
        self.runtime: Runtime = build_runtime(
            settings,
            notifiers=notifiers,
            stop=self.stop,
            fetch_tickers=False,
            on_recorded=on_recorded,
            metrics=self.http.metrics,
        )
        self.delivery = self.runtime.dispatcher
        self.readers = ReadLoop(
            self.runtime.storage,
            lambda: self.runtime.new_client("documents"),
            settings.notify,
            list(self.runtime.notifiers),
            watchlist=lambda: self.runtime.watchlist,
            stop=self.stop,
            workers=settings.poll.readers,
            on_queued=self.wake_delivery,
        )
        self.cycles = Cycles(
            self.runtime,
            self.systemd,
            on_found=self.readers.wake,
            on_queued=self.wake_delivery,
            newcomers_apart=True,
        )
        self.scheduler = BlockingScheduler(
            timezone=EASTERN,
            # poll, sweep, efts, reconcile, and room for the digest and alarm jobs: an
            # alarm about a stuck poll must not wait for a worker the poll holds.
            executors={"default": ThreadPoolExecutor(max_workers=6)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self.monitor = Monitor(self.runtime, on_queued=self.delivery.wake)
        self._running: dict[str, float] = {}
        self._running_lock = threading.Lock()
        if not self.runtime.notifiers:
            logger.warning("no notification channel is configured: filings are recorded only")

    # -- wiring ----------------------------------------------------------------
    def _job(self, name: str, step: Callable[[], Any]) -> Callable[[], None]:
        def run() -> None:
            if self.stop.is_set():
                return
            with self._running_lock:
                self._running[name] = time.monotonic()
            try:
                step()
            finally:
                with self._running_lock:
                    self._running.pop(name, None)

        run.__name__ = name
        return run

    def schedule(self) -> None:
        poll = self.settings.poll
        now = datetime.now(EASTERN)
        jobs: list[tuple[str, Callable[[], Any], Any, dict[str, Any]]] = [
            (
                "poll",
                self.cycles.poll,
                FilingHoursTrigger(poll.interval_seconds, poll.off_hours_interval_seconds),
                {"next_run_time": now},
            ),
            (
                "sweep",
                self.cycles.sweep,
                CadenceTrigger(cadence(poll.sweep_seconds, poll.morning_sweep_seconds)),
                {"next_run_time": now + timedelta(seconds=5)},
            ),
            (
                "reconcile",
                self.cycles.reconcile,
                "interval",
                {"minutes": poll.reconcile_minutes, "next_run_time": now + timedelta(seconds=2)},
            ),
        ]
        if poll.efts_seconds:
            trigger = CadenceTrigger(cadence(poll.efts_seconds))
            jobs.append(
                ("efts", self.cycles.search, trigger, {"next_run_time": now + timedelta(seconds=8)})
            )
        jobs += self._monitor_jobs(now)
        for name, step, trigger, options in jobs:
            self.scheduler.add_job(self._job(name, step), trigger, id=name, **options)
        self.scheduler.add_listener(
            self._on_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES
        )

    def _monitor_jobs(
        self, now: datetime
    ) -> list[tuple[str, Callable[[], Any], Any, dict[str, Any]]]:
        """The digest and alarm jobs, when configured: every 30 s (see the module)."""
        jobs: list[tuple[str, Callable[[], Any], Any, dict[str, Any]]] = []
        if self.settings.digests:
            start = {"seconds": 30, "next_run_time": now + timedelta(seconds=3)}
            jobs.append(("digest", self.monitor.digests, "interval", start))
        if self.settings.alarms is not None:
            start = {"seconds": 30, "next_run_time": now + timedelta(seconds=4)}
            jobs.append(("alarms", self.monitor.alarms, "interval", start))
        return jobs

    def _on_event(self, event: JobExecutionEvent) -> None:
        if event.code == EVENT_JOB_ERROR:
            logger.error(
                "job %s raised; the next run is scheduled as usual",
                event.job_id,
                exc_info=(type(event.exception), event.exception, event.exception.__traceback__),
            )
        elif event.code == EVENT_JOB_MISSED:
            logger.warning("job %s missed its run time %s", event.job_id, event.scheduled_run_time)
        else:
            logger.warning("job %s is still running; this run waits for the next", event.job_id)

    def wake_delivery(self) -> None:
        """Readers queued notifications: every channel's worker looks now."""
        self.delivery.wake()

    # -- signals ---------------------------------------------------------------
    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self._on_stop_signal)
        signal.signal(signal.SIGINT, self._on_stop_signal)
        signal.signal(signal.SIGHUP, self._on_hup)

    def _on_stop_signal(self, signum: int, frame: FrameType | None) -> None:
        logger.info("%s received: finishing the current step", signal.Signals(signum).name)
        self.request_stop()

    def _on_hup(self, signum: int, frame: FrameType | None) -> None:
        logger.info("SIGHUP received: the watchlist is re-read at the next poll")
        self.cycles.reload_requested.set()
        self.systemd.reloading()
        self.systemd.ready()

    def request_stop(self) -> None:
        self.stop.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    # -- running ---------------------------------------------------------------
    def run(self) -> int:
        """Block until stopped; returns the exit status (0)."""
        faulthandler.enable()  # a watchdog SIGABRT dumps every thread's stack to the journal
        self.schedule()
        watchdog = Watchdog(self.systemd, self.cycles.healthy)
        self.systemd.ready("started: first poll under way")
        watchdog.start()
        self.http.start()
        logger.info(
            "edgarwatch started: watching %s, database %s, channels %s",
            self.runtime.watchlist.describe(),
            self.settings.storage.path,
            ", ".join(self.runtime.notifiers) or "none",
        )
        self.readers.start()
        self.delivery.start()
        try:
            self.scheduler.start()
        finally:
            self.stop.set()
            self.systemd.stopping()
            self.http.stop()
            watchdog.stop()
            abandoned = self._wait_for_jobs(STOP_DEADLINE_SECONDS / 2)
            abandoned += self.readers.join(STOP_DEADLINE_SECONDS / 4)
            if not self.delivery.stop(STOP_DEADLINE_SECONDS / 4):
                abandoned.append("delivery")
            self.runtime.storage.outbox.release_claims(self.delivery.owner)  # every row still held
            if not abandoned:
                self.cycles.close()
                self.runtime.close()
            logger.info("edgarwatch stopped")
        if abandoned:
            # A job stuck in a socket read must not hold the exit; every database
            # write is a committed transaction, so nothing is lost by leaving.
            logging.shutdown()
            os._exit(0)
        return 0

    def _wait_for_jobs(self, seconds: float) -> list[str]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self._running_lock:
                running = list(self._running)
            if not running:
                return []
            time.sleep(0.05)
        logger.warning("stopping with %s still running", ", ".join(running))
        return running


def run_daemon(settings: Settings) -> int:
    daemon = Daemon(settings)
    daemon.install_signal_handlers()
    return daemon.run()
