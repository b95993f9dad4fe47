"""The cycles the scheduler runs: poll, sweep, full-text search, catch-up, read, dispatch.

Each is a plain method that never raises: a failure is logged, kept for
`edgarwatch status`, and the next cycle runs. They are separate on purpose:
the poll only finds and records (one small request when nothing is new); the
readers read documents; the dispatcher delivers. A burst of filings, a slow
document or a slow channel never holds the poll, and the systemd watchdog
judges the poll alone. `edgarwatch poll` calls `once()`: poll, catch-up when
due, one read pass and one dispatch, in order.

Idle polls write nothing but a heartbeat every `poll.heartbeat_seconds`: a poll,
a sweep or a full-text search is logged in the `polls` table only when it found
something or failed (the table keeps 30 days, at most 10,000 rows of each kind).
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
from edgarwatch.daemon.sweep import SweepResult, search_full_text, sweep_feed
from edgarwatch.daemon.systemd import SystemdNotifier
from edgarwatch.daemon.watchlist import Watchlist
from edgarwatch.edgar.client import (
    EdgarBlocked,
    EdgarClient,
    EdgarDeferred,
    EdgarError,
    Interrupted,
)
from edgarwatch.filing import EASTERN
from edgarwatch.notifiers.dispatch import DispatchResult
from edgarwatch.storage import StorageError

logger = logging.getLogger(__name__)

READ_BUDGET_SECONDS = 60.0
"""`edgarwatch poll`'s one read pass stops after this long; the daemon's readers never do."""
WATCHDOG_MARGIN_SECONDS = 120.0
IDLE_KINDS = frozenset({"poll", "sweep", "efts"})
"""Cycles that run all day and mostly find nothing: logged in `polls` only when they did."""


@dataclass
class CycleOutcome:
    ok: bool
    summary: str
    notifications: int = 0
    found: int = 0
    """Filings of watched companies recorded (the readers are woken for them)."""


@dataclass(frozen=True)
class Step:
    """What a cycle's steps report back: one line, and what they found."""

    summary: str
    found: int = 0
    notifications: int = 0
    eventful: bool = False
    """Worth a row in the `polls` log even when nothing was recorded (a gap, a baseline)."""


class Cycles:
    """The cycles over one runtime, and what the watchdog needs to judge them."""

    def __init__(
        self,
        runtime: Runtime,
        systemd: SystemdNotifier | None = None,
        *,
        on_found: Callable[[], None] = lambda: None,
        on_queued: Callable[[], None] = lambda: None,
        newcomers_apart: bool = False,
    ) -> None:
        self.runtime = runtime
        self.systemd = systemd or SystemdNotifier({})
        self.on_found = on_found
        self.on_queued = on_queued
        self.newcomers_apart = newcomers_apart
        """Catch up newly watched companies in a thread of their own, never in the poll's
        (the daemon: 50 newcomers are 50 requests, 10 s at 5/s with the feed unpolled)."""
        self._newcomers = threading.Lock()
        self._newcomer_thread: threading.Thread | None = None
        self.reload_requested = threading.Event()
        self._poll_started: float | None = None
        self._poll_finished = time.monotonic()  # start-up counts as a fresh start
        self._synced: Watchlist | None = None  # the watchlist last written to the database
        self._heartbeat: float | None = None
        self._status_line = ""
        self._clients: dict[str, EdgarClient] = {}
        self._storage_problem = ""
        self._deferrals: dict[tuple[str, str], datetime] = {}
        self._clients_lock = threading.Lock()

    # -- poll ----------------------------------------------------------------
    def poll(self) -> CycleOutcome:
        """The fast tier: find and record. Reading and delivering are other loops."""
        self._poll_started = time.monotonic()
        try:
            outcome = self._cycle("poll", self._poll_steps)
        finally:
            self._poll_started = None
            self._poll_finished = time.monotonic()
        self.systemd.status(outcome.summary)
        self.systemd.watchdog()
        return outcome

    def _poll_steps(self) -> Step:
        rt = self.runtime
        self.sync_watchlist()
        result = poll_feed(
            rt.storage,
            self.client("poll"),
            rt.watchlist,
            rt.settings.poll,
            on_recorded=rt.on_recorded,
            rules=rt.settings.notify.rules,
            now=rt.clock(),
            metrics=rt.metrics,
        )
        self._beat(force=result.baseline or result.new_on_feed > 0)
        return Step(_poll_summary(result), result.news, eventful=result.baseline or result.gap)

    def _beat(self, *, force: bool) -> None:
        """Write `last_poll_ok_at` now and then, not at every idle poll (disks wear)."""
        period = self.runtime.settings.poll.heartbeat_seconds
        now = time.monotonic()
        if force or self._heartbeat is None or now - self._heartbeat >= period:
            self.runtime.storage.state.poll_succeeded(self.runtime.clock())
            self._heartbeat = now

    def sync_watchlist(self) -> None:
        """Re-read the watchlist when its file changed or SIGHUP asked; catch up newcomers
        (in their own thread when `newcomers_apart`)."""
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
                added = watched.replace(rt.watchlist.names, now=rt.clock())
                if added:
                    logger.info(
                        "now watching %d more: CIK %s", len(added), ", ".join(map(str, added))
                    )
            self._synced = rt.watchlist
        if not watched.not_caught_up():
            return
        if self.newcomers_apart:
            self._catch_up_newcomers_apart()
        else:
            self.catch_up_newcomers()

    def catch_up_newcomers(self) -> None:
        """Record newly watched companies' recent filings; one thread at a time (the poll
        and the catch-up both look: each company's submissions are read once)."""
        if not self._newcomers.acquire(blocking=False):
            return  # another thread is on it
        try:
            rt = self.runtime
            pending = rt.storage.watched.not_caught_up()
            if not pending:
                return
            recorded = catch_up_new_companies(
                rt.storage,
                self.client("newcomers") if self.newcomers_apart else rt.client,
                rt.watchlist,
                pending,
                poll=rt.settings.poll,
                watch=rt.settings.watch,
                on_recorded=rt.on_recorded,
                now=rt.clock(),
                metrics=rt.metrics,
                rules=rt.settings.notify.rules,
            )
        finally:
            self._newcomers.release()
        if recorded:
            self.on_found()

    def _catch_up_newcomers_apart(self) -> None:
        thread = self._newcomer_thread
        if thread is not None and thread.is_alive():
            return

        def run() -> None:
            try:
                self.catch_up_newcomers()
            except (EdgarBlocked, Interrupted) as exc:
                logger.warning("newly watched companies not caught up yet: %s", exc)
            except Exception:
                logger.exception("catching up newly watched companies failed; retried later")

        self._newcomer_thread = threading.Thread(target=run, name="newcomers", daemon=True)
        self._newcomer_thread.start()

    # -- the other live sources ----------------------------------------------
    def sweep(self) -> CycleOutcome:
        """Re-read the feed back to the sweep's horizon, by accession."""
        return self._source("sweep", sweep_feed)

    def search(self) -> CycleOutcome:
        """Today's 8-Ks in EDGAR full-text search: the second, independent source."""
        return self._source("efts", search_full_text)

    def _source(self, kind: str, run: Callable[..., SweepResult]) -> CycleOutcome:
        def steps() -> Step:
            rt = self.runtime
            result = run(
                rt.storage,
                self.client(kind),
                rt.watchlist,
                rt.settings.poll,
                now=rt.clock(),
                rules=rt.settings.notify.rules,
                on_recorded=rt.on_recorded,
                metrics=rt.metrics,
            )
            return Step(_source_summary(result), result.news, eventful=bool(result.unseen))

        return self._cycle(kind, steps)

    # -- reconcile -----------------------------------------------------------
    def reconcile(self) -> CycleOutcome:
        def steps() -> Step:
            rt = self.runtime
            self.sync_watchlist()
            result = reconcile(
                rt.storage,
                self.client("reconcile"),
                rt.watchlist,
                rt.settings.poll,
                stop=rt.stop,
                on_recorded=rt.on_recorded,
                now=rt.clock(),
                metrics=rt.metrics,
                rules=rt.settings.notify.rules,
                newcomers_read=rt.settings.watch.catch_up_days > 0,
            )
            return Step(_catch_up_summary(result), len(result.recorded), eventful=True)

        return self._cycle("reconcile", steps)

    def reconcile_due(self) -> bool:
        state = self.runtime.storage.state
        if state.catch_up_due():
            return True
        last = state.last_catch_up()
        period = timedelta(minutes=self.runtime.settings.poll.reconcile_minutes)
        return last is None or self.runtime.clock() - last >= period

    # -- read and deliver (one pass; the daemon runs them as loops) ----------
    def read(self) -> EnrichResult:
        """One pass over the read queue (what will notify first), within a budget."""
        rt = self.runtime
        try:
            result = enrich_pending(
                rt.storage,
                rt.client,
                rt.settings.notify,
                list(rt.notifiers),
                watchlist=rt.watchlist,
                stop=rt.stop,
                budget_seconds=READ_BUDGET_SECONDS,
            )
        except (EdgarBlocked, Interrupted) as exc:
            logger.warning("reading stopped: %s", exc)
            return EnrichResult()
        if result.notifications:
            self.on_queued()
        return result

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
        """Poll, catch up when due, read, dispatch: True when every step succeeded."""
        ok = self.poll().ok
        if ok and self.reconcile_due():
            ok = self.reconcile().ok
        self.read()
        self.dispatch()
        return ok

    # -- health for the systemd watchdog -------------------------------------
    def healthy(self) -> bool:
        """False when a poll runs for longer than any poll should, or when none has
        finished for two intervals (the scheduler itself stopped): systemd's
        watchdog then restarts the service. Only the poll loop is judged: reading
        and delivering have their own loops, and a slow one must not get the
        service killed."""
        interval = self.current_interval()
        now = time.monotonic()
        started = self._poll_started
        if started is not None:
            return now - started < max(180.0, 3 * interval) + WATCHDOG_MARGIN_SECONDS
        return now - self._poll_finished < 2 * interval + WATCHDOG_MARGIN_SECONDS

    # -- shared ----------------------------------------------------------------
    def client(self, kind: str) -> EdgarClient:
        """Each cycle kind its own client (HTTP session), so cycles run at once safely;
        all share one rate limit and one SEC pause. The poll uses the runtime's."""
        if kind == "poll":
            return self.runtime.client
        with self._clients_lock:
            if kind not in self._clients:
                # newcomers' catch-up is the catch-up tier's, in a thread (a session) apart
                source = "reconcile" if kind == "newcomers" else kind
                self._clients[kind] = self.runtime.new_client(source)
            return self._clients[kind]

    def close(self) -> None:
        with self._clients_lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()

    def _cycle(self, kind: str, steps: Callable[[], Step]) -> CycleOutcome:
        rt = self.runtime
        started = rt.clock()
        client = self.client(kind)
        before = client.requests_sent
        ok, error, step = False, None, Step("")
        result: str | None = "failed"  # in the metrics; None: a stop cut it short
        try:
            step = steps()
            ok, summary, result = True, step.summary, "ok"
        except EdgarBlocked as exc:
            error = summary = (
                f"{kind} skipped: SEC traffic paused until {_et(exc.until)} ({exc.reason})"
            )
            result = "blocked"
            logger.warning("%s", summary)
        except Interrupted:
            error = summary = f"{kind} interrupted: stopping"
            result = None
        except EdgarDeferred as exc:
            error = summary = (
                f"{kind} skipped: {exc.host} asked us to wait until {_et(exc.until)} ({exc.reason})"
            )
            result = "deferred"
            self._deferred(kind, exc, summary)
        except EdgarError as exc:
            error = summary = f"{kind} failed: {exc}"
            logger.error("%s", summary)
        except StorageError as exc:
            error = summary = f"{kind} failed: {exc}"
            self._storage_trouble(exc)
        except Exception as exc:
            error = summary = f"{kind} failed: {type(exc).__name__}: {exc}"
            logger.exception("%s failed; the next cycle will run as scheduled", kind)
        requests = client.requests_sent - before
        if result is not None:
            rt.metrics.cycle(kind, result)
        if ok:
            self._storage_recovered()
            if kind == "poll":
                rt.metrics.poll_succeeded(rt.clock())
        self._log(kind, started, ok, requests, step, error, summary)
        if step.found:
            self.on_found()
        return CycleOutcome(ok, summary, step.notifications, step.found)

    def _deferred(self, kind: str, exc: EdgarDeferred, summary: str) -> None:
        """A host's Retry-After outlasts this cycle: said once per cycle kind and
        deferral (the client warned when it began), not as an error every cycle."""
        key = (kind, exc.host)
        if self._deferrals.get(key) != exc.until:
            self._deferrals[key] = exc.until
            logger.warning("%s; it carries on then", summary)
        else:
            logger.debug("%s", summary)

    def _log(
        self,
        kind: str,
        started: datetime,
        ok: bool,
        requests: int,
        step: Step,
        error: str | None,
        summary: str,
    ) -> None:
        """Keep what happened: every catch-up, every cycle that found something or failed,
        and each change of the poll's outcome. An idle poll, sweep or full-text search
        writes nothing (DEBUG log): at a 1 s poll they would be 80,000 rows a day."""
        idle_poll = kind in IDLE_KINDS and ok and not step.found and not step.eventful
        status_line = None
        if kind == "poll" and summary != self._status_line:
            status_line, self._status_line = f"{_et(started)} {summary}", summary
        if not idle_poll or status_line is not None:
            try:
                self.runtime.storage.state.log_cycle(
                    kind,
                    started,
                    ok=ok,
                    requests=requests,
                    new_filings=step.found,
                    error=error,
                    status_line=status_line,
                )
            except StorageError as exc:
                self._storage_trouble(exc)
        if ok:
            level = logging.DEBUG if idle_poll else logging.INFO
            logger.log(level, "%s (%d request%s)", summary, requests, "" if requests == 1 else "s")

    def _storage_trouble(self, exc: StorageError) -> None:
        """Say so once per state change, not with a traceback every cycle."""
        cause = str(getattr(exc, "cause", "") or exc)
        if cause != self._storage_problem:
            logger.error(
                "the database cannot be written: %s. Nothing is lost while it lasts (EDGAR "
                "is read again once it can be); cycles keep trying.",
                exc,
            )
            self._storage_problem = cause

    def _storage_recovered(self) -> None:
        if self._storage_problem:
            logger.warning("the database can be written again (it was: %s)", self._storage_problem)
            self._storage_problem = ""

    def current_interval(self) -> float:
        poll = self.runtime.settings.poll
        return current_interval(
            poll.interval_seconds, poll.off_hours_interval_seconds, self.runtime.clock()
        )


def _catch_up_summary(result: CatchUpResult) -> str:
    text = f"catch-up ok: {len(result.recorded)} missed filing(s) recorded"
    if result.index_days:
        text += f", daily index {', '.join(map(str, result.index_days))}"
    if result.companies_checked:
        text += f", {result.companies_checked} companies compared"
    return text


def _poll_summary(result: PollResult) -> str:
    if result.baseline:
        return f"poll ok: baseline of {result.new_on_feed} filings recorded"
    text = f"poll ok: {result.new_on_feed} new on the feed, {len(result.recorded)} recorded"
    if result.pages > 1:
        text += f" ({result.pages} pages)"
    if result.gap:
        text += "; gap past the feed's end, catch-up due"
    return text


def _source_summary(result: SweepResult) -> str:
    if result.skipped:
        return f"{result.source} skipped: {result.skipped}"
    return (
        f"{result.source} ok: {result.shown} shown, {result.unseen} not seen before, "
        f"{len(result.recorded)} recorded ({result.pages} page{'s' if result.pages != 1 else ''})"
    )


def _et(moment: datetime) -> str:
    return moment.astimezone(EASTERN).strftime("%Y-%m-%d %H:%M:%S %Z")
