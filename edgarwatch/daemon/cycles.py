"""The three cycles the scheduler runs: poll, reconcile, dispatch.

Each is a plain method that never raises: a failure is logged, recorded in
the `polls` table (which `edgarwatch status` reads) and the next cycle runs.
`edgarwatch poll` calls `once()`: the same steps, catch-up only when due.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from edgarwatch.daemon.catchup import CatchUpResult, catch_up_new_companies, reconcile
from edgarwatch.daemon.enrich import EnrichResult, enrich_pending
from edgarwatch.daemon.poll import PollResult, poll_feed
from edgarwatch.daemon.runtime import Runtime
from edgarwatch.daemon.schedule import current_interval
from edgarwatch.daemon.systemd import SystemdNotifier
from edgarwatch.daemon.watchlist import Watchlist
from edgarwatch.edgar.client import EdgarBlocked, EdgarError, Interrupted
from edgarwatch.filing import EASTERN
from edgarwatch.notifiers.dispatch import DispatchResult
from edgarwatch.storage import StorageError
from edgarwatch.storage.timefmt import utc_now

logger = logging.getLogger(__name__)

ENRICH_BUDGET_SECONDS = 60.0


@dataclass
class CycleOutcome:
    ok: bool
    summary: str
    notifications: int = 0


class Cycles:
    """The cycles over one runtime, and what the watchdog needs to judge them."""

    def __init__(self, runtime: Runtime, systemd: SystemdNotifier | None = None) -> None:
        self.runtime = runtime
        self.systemd = systemd or SystemdNotifier({})
        self.reload_requested = threading.Event()
        self._poll_started: float | None = None
        self._poll_finished = time.monotonic()  # start-up counts as a fresh start
        self._synced: Watchlist | None = None  # the watchlist last written to the database

    # -- poll ----------------------------------------------------------------
    def poll(self) -> CycleOutcome:
        """Fast tier, then enrichment; dispatch at once when it queued notifications."""
        self._poll_started = time.monotonic()
        try:
            outcome = self._cycle("poll", self._poll_steps)
        finally:
            self._poll_started = None
            self._poll_finished = time.monotonic()
        self.systemd.status(outcome.summary)
        self.systemd.watchdog()
        if outcome.notifications:
            self.dispatch()
        return outcome

    def _poll_steps(self) -> tuple[str, int]:
        rt = self.runtime
        self.sync_watchlist()
        result = poll_feed(
            rt.storage, rt.client, rt.watchlist, rt.settings.poll, on_recorded=rt.on_recorded
        )
        rt.storage.state.poll_succeeded(utc_now())
        enriched = self.enrich()
        return _poll_summary(result, enriched.notifications), enriched.notifications

    def enrich(self) -> EnrichResult:
        rt = self.runtime
        return enrich_pending(
            rt.storage,
            rt.client,
            rt.settings.notify,
            list(rt.notifiers),
            stop=rt.stop,
            budget_seconds=ENRICH_BUDGET_SECONDS,
        )

    def sync_watchlist(self) -> None:
        """Re-read the watchlist when its file changed or SIGHUP asked; catch up newcomers."""
        rt = self.runtime
        source, watched = rt.watch_source, rt.storage.watched
        if self.reload_requested.is_set() or source.file_changed() or source.tickers_stale():
            self.reload_requested.clear()
            rt.watchlist = source.load()
            logger.info(
                "watchlist loaded: %s",
                "every company" if rt.watchlist.everyone else f"{len(rt.watchlist)} companies",
            )
        if rt.watchlist.everyone:
            return
        if rt.watchlist is not self._synced:  # only after a (re)load, not every poll
            if set(watched.all()) != set(rt.watchlist.ciks):
                added = watched.replace(rt.watchlist.names)
                if added:
                    logger.info(
                        "now watching %d more: CIK %s", len(added), ", ".join(map(str, added))
                    )
            self._synced = rt.watchlist
        pending = watched.not_caught_up()
        if pending:
            catch_up_new_companies(
                rt.storage,
                rt.client,
                rt.watchlist,
                pending,
                poll=rt.settings.poll,
                watch=rt.settings.watch,
                on_recorded=rt.on_recorded,
            )

    # -- reconcile -----------------------------------------------------------
    def reconcile(self) -> CycleOutcome:
        def steps() -> tuple[str, int]:
            rt = self.runtime
            self.sync_watchlist()
            result = reconcile(
                rt.storage,
                rt.client,
                rt.watchlist,
                rt.settings.poll,
                stop=rt.stop,
                on_recorded=rt.on_recorded,
            )
            enriched = self.enrich()
            return _catch_up_summary(result), enriched.notifications

        outcome = self._cycle("reconcile", steps)
        if outcome.notifications:
            self.dispatch()
        return outcome

    def reconcile_due(self) -> bool:
        state = self.runtime.storage.state
        if state.catch_up_due():
            return True
        last = state.last_catch_up()
        period = timedelta(minutes=self.runtime.settings.poll.reconcile_minutes)
        return last is None or utc_now() - last >= period

    # -- dispatch ------------------------------------------------------------
    def dispatch(self) -> DispatchResult:
        try:
            return self.runtime.dispatcher.dispatch()
        except StorageError:
            logger.exception("dispatch could not use the database")
        except Exception:
            logger.exception("dispatch failed; the next cycle will retry")
        return DispatchResult()

    # -- one-shot (`edgarwatch poll`) ----------------------------------------
    def once(self) -> bool:
        """Poll, catch up when due, dispatch: True when every step succeeded."""
        outcome = self.poll()
        ok = outcome.ok
        if ok and self.reconcile_due():
            ok = self.reconcile().ok
        self.dispatch()
        return ok

    # -- health for the systemd watchdog -------------------------------------
    def healthy(self) -> bool:
        """False when a poll runs for longer than any poll should, or when none has
        finished for two intervals (the scheduler itself stopped): systemd's
        watchdog then restarts the service."""
        margin = ENRICH_BUDGET_SECONDS + 120
        now = time.monotonic()
        started = self._poll_started
        if started is not None:
            return now - started < 3 * max(self.runtime.settings.poll.interval_seconds, 60) + margin
        return now - self._poll_finished < 2 * self.current_interval() + margin

    # -- shared ----------------------------------------------------------------
    def _cycle(self, kind: str, steps: Callable[[], tuple[str, int]]) -> CycleOutcome:
        rt = self.runtime
        started = utc_now()
        before = rt.client.requests_sent
        ok, error, notifications = False, None, 0
        try:
            summary, notifications = steps()
            ok = True
        except EdgarBlocked as exc:
            error = summary = (
                f"{kind} skipped: SEC traffic paused until {_et(exc.until)} ({exc.reason})"
            )
            logger.warning("%s", summary)
        except Interrupted:
            error = summary = f"{kind} interrupted: stopping"
        except EdgarError as exc:
            error = summary = f"{kind} failed: {exc}"
            logger.error("%s", summary)
        except Exception as exc:
            error = summary = f"{kind} failed: {type(exc).__name__}: {exc}"
            logger.exception("%s failed; the next cycle will run as scheduled", kind)
        requests = rt.client.requests_sent - before
        status_line = f"{_et(started)} {summary}" if kind == "poll" else None
        try:
            rt.storage.state.log_cycle(
                kind,
                started,
                ok=ok,
                requests=requests,
                new_filings=0,
                error=error,
                status_line=status_line,
            )
        except StorageError:
            logger.exception("cannot record the %s outcome", kind)
        if ok:
            logger.info("%s (%d request%s)", summary, requests, "" if requests == 1 else "s")
        return CycleOutcome(ok, summary, notifications)

    def current_interval(self) -> float:
        poll = self.runtime.settings.poll
        return current_interval(poll.interval_seconds, poll.off_hours_interval_seconds, utc_now())


def _catch_up_summary(result: CatchUpResult) -> str:
    text = f"catch-up ok: {len(result.recorded)} missed filing(s) recorded"
    if result.index_days:
        text += f", daily index {', '.join(map(str, result.index_days))}"
    if result.companies_checked:
        text += f", {result.companies_checked} companies compared"
    return text


def _poll_summary(result: PollResult, notifications: int) -> str:
    if result.baseline:
        return f"poll ok: baseline of {result.new_on_feed} filings recorded"
    text = f"poll ok: {result.new_on_feed} new on the feed, {len(result.recorded)} recorded"
    if result.pages > 1:
        text += f" ({result.pages} pages)"
    if notifications:
        text += f", {notifications} notification(s) queued"
    if result.gap:
        text += "; gap past the feed's end, catch-up due"
    return text


def _et(moment: datetime) -> str:
    return moment.astimezone(EASTERN).strftime("%Y-%m-%d %H:%M:%S %Z")
