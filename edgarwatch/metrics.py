"""What the daemon reports as it works, for Prometheus: counters, gauges, histograms.

The parts that do the work call one small contract, `Instruments`: the EDGAR
client counts its requests, the cycles their outcomes, the `Recorder` the
filings it records (and how long after their acceptance), the dispatcher its
notifications (and how long after acceptance each was sent), the runtime the
SEC's blocks. The base class records nothing, and it is every part's default
(`NO_METRICS`), so the CLI's one-shot commands and the tests run without any
of this. `edgarwatch run` with `[http] listen` set makes one `Metrics` and
hands it to each part it wires (`build_runtime(metrics=…)`); nothing is
module-global, so several daemons in one process (tests, benchmarks) never
share a count.

`Metrics` keeps its instruments in a `CollectorRegistry` of its own, exposed by
`edgarwatch.daemon.http` together with the gauges read from the database at
scrape time. prometheus_client's instruments are thread-safe and cost a lock
and an addition each: cheap enough for every request and every row.

Names follow Prometheus' conventions (prometheus.io/docs/practices/naming):
one `edgarwatch_` prefix, base units (`_seconds`), `_total` on counters,
`_timestamp_seconds` on a Unix time. Labels take a small, fixed set of values:
never a CIK, an accession or a URL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    Info,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
)

from edgarwatch import __version__

LAG_BUCKETS = (0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600)
"""Seconds, from "as fast as EDGAR allows" to an hour; an after-hours 8-K that EDGAR
posts the next morning lands in +Inf, as it should."""

CYCLES = ("poll", "sweep", "efts", "reconcile")
CYCLE_RESULTS = ("ok", "failed", "blocked", "deferred")
NOTIFICATION_RESULTS = ("sent", "retry", "dead")
BLOCK_REASONS = (
    "rate_threshold_exceeded",
    "undeclared_automated_tool",
    "too_many_requests",
    "forbidden",
)


def block_reason(reason: str) -> str:
    """The SEC's block reason as a label value: one of `BLOCK_REASONS`, whatever the
    text (a 403 page's title is the SEC's text, not a bounded set)."""
    lowered = reason.lower()
    if "request rate threshold" in lowered:
        return "rate_threshold_exceeded"
    if "undeclared automated tool" in lowered:
        return "undeclared_automated_tool"
    if "429" in lowered or "too many requests" in lowered:
        return "too_many_requests"
    return "forbidden"


class Instruments:
    """The contract the working parts report through. This base records nothing."""

    def edgar_request(self, source: str, status: str) -> None:
        """One HTTP exchange with EDGAR: its status code, or "error" (no usable answer)."""

    def cycle(self, kind: str, result: str) -> None:
        """A poll, sweep, efts or reconcile cycle ended: ok, failed, blocked or deferred."""

    def poll_succeeded(self, at: datetime) -> None:
        """A poll read the feed successfully at `at`."""

    def sec_blocked(self, until: datetime, reason: str) -> None:
        """The SEC throttled us: all SEC traffic pauses until `until`."""

    def watch_sec_block(self, active: Callable[[], bool]) -> None:
        """Whether the SEC's pause is in force now: `active()` (the throttle's) says."""

    def filing_recorded(self, source: str, policy: str, lag_seconds: float | None) -> None:
        """A source recorded a new filing; `lag_seconds`: acceptance → recorded, for news."""

    def notification(self, channel: str, result: str, latency_seconds: float | None = None) -> None:
        """A notification was sent, will be retried, or is dead; `latency_seconds`:
        EDGAR acceptance → sent."""

    def message(self, channel: str, kind: str, result: str) -> None:
        """A digest or an alarm message was sent, will be retried, or is dead."""


NO_METRICS = Instruments()
"""The default of every part: records nothing."""


class ProcessMetrics(ProcessCollector):
    """process_*: memory, descriptors, CPU time, start time, from /proc/self.

    prometheus_client reads the boot time from /proc/stat and reports nothing at
    all without it; the shipped unit's `ProcSubset=pid` hides every /proc file
    but the processes' own. The boot time is also the wall clock less
    CLOCK_BOOTTIME, which needs no file."""

    def _boot_time(self) -> float:
        try:
            return float(super()._boot_time())  # type: ignore[no-untyped-call]
        except (OSError, TypeError):  # hidden, or no btime line in it
            return time.time() - time.clock_gettime(time.CLOCK_BOOTTIME)


class Metrics(Instruments):
    """The daemon's instruments in a registry of their own (see the module docstring)."""

    def __init__(self, channels: tuple[str, ...] = ()) -> None:
        # The `_created` series (one more per counter and histogram child) serve
        # OpenMetrics' reset detection, which Prometheus does without; the daemon
        # owns its process, so turning them off process-wide touches no one else.
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = CollectorRegistry()
        # process_* (memory, descriptors, CPU), python_info and python_gc_*: what a
        # months-long run is judged by. A custom registry has none of them by itself.
        ProcessMetrics(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        build = Info("edgarwatch_build", "The running edgarwatch.", registry=self.registry)
        build.info({"version": __version__})
        self._counters(channels)
        self._gauges()
        self._histograms()
        self._lock = threading.Lock()
        self._blocked_until: datetime | None = None
        self._last_poll = 0.0

    def _counters(self, channels: tuple[str, ...]) -> None:
        registry = self.registry
        self.cycles = Counter(
            "edgarwatch_cycles",
            "Finding cycles run, by cycle and result (blocked: the SEC's pause was in force; "
            "deferred: a host's Retry-After was).",
            ["cycle", "result"],
            registry=registry,
        )
        self.edgar_requests = Counter(
            "edgarwatch_edgar_requests",
            "HTTP requests to EDGAR, by the part that sent them and the status code "
            "(error: no usable answer: timeout, connection error, oversized body).",
            ["source", "status"],
            registry=registry,
        )
        self.edgar_blocks = Counter(
            "edgarwatch_edgar_blocks",
            "Times the SEC throttled edgarwatch (403 or 429), pausing all SEC traffic.",
            ["reason"],
            registry=registry,
        )
        self.filings_recorded = Counter(
            "edgarwatch_filings_recorded",
            "Filings of watched companies recorded, by the source that found them first "
            "and their policy (news may notify; baseline and history never do).",
            ["source", "policy"],
            registry=registry,
        )
        self.notifications = Counter(
            "edgarwatch_notifications",
            "Notification attempts, by channel and result (sent, retry, dead).",
            ["channel", "result"],
            registry=registry,
        )
        self.messages = Counter(
            "edgarwatch_messages",
            "Digest and alarm messages' delivery attempts, by channel, kind (digest, alarm) "
            "and result (sent, retry, dead).",
            ["channel", "kind", "result"],
            registry=registry,
        )
        # Known label values start at 0, so rate() and alerts see them from the start.
        for kind in CYCLES:
            for result in CYCLE_RESULTS:
                self.cycles.labels(kind, result)
        for reason in BLOCK_REASONS:
            self.edgar_blocks.labels(reason)
        for channel in channels:
            for result in NOTIFICATION_RESULTS:
                self.notifications.labels(channel, result)

    def _gauges(self) -> None:
        self.last_successful_poll = Gauge(
            "edgarwatch_last_successful_poll_timestamp_seconds",
            "When a poll last read the feed successfully (Unix time).",
            registry=self.registry,
        )
        self.edgar_block_active = Gauge(
            "edgarwatch_edgar_block_active",
            "1 while the SEC's block pauses all SEC traffic, else 0.",
            registry=self.registry,
        )

    def _histograms(self) -> None:
        self.detection_lag = Histogram(
            "edgarwatch_detection_lag_seconds",
            "EDGAR acceptance to recorded, for news, by the source that found it.",
            ["source"],
            buckets=LAG_BUCKETS,
            registry=self.registry,
        )
        self.notification_latency = Histogram(
            "edgarwatch_notification_latency_seconds",
            "EDGAR acceptance to notification sent, by channel.",
            ["channel"],
            buckets=LAG_BUCKETS,
            registry=self.registry,
        )

    # -- Instruments -------------------------------------------------------------
    def edgar_request(self, source: str, status: str) -> None:
        self.edgar_requests.labels(source, status).inc()

    def cycle(self, kind: str, result: str) -> None:
        self.cycles.labels(kind, result).inc()

    def poll_succeeded(self, at: datetime) -> None:
        """Never back to an older time (the endpoint remembers the last poll before
        this start, which a poll finishing meanwhile must not be overwritten by)."""
        with self._lock:
            self._last_poll = max(self._last_poll, at.timestamp())
            self.last_successful_poll.set(self._last_poll)

    def sec_blocked(self, until: datetime, reason: str) -> None:
        """Counted once per block: answers to requests already in flight when it began
        (each another 403) only extend it."""
        with self._lock:
            previous = self._blocked_until
            new = previous is None or datetime.now(UTC) >= previous
            self._blocked_until = until if previous is None else max(previous, until)
        if new:
            self.edgar_blocks.labels(block_reason(reason)).inc()

    def watch_sec_block(self, active: Callable[[], bool]) -> None:
        """`edgarwatch_edgar_block_active` asks `active` at every scrape."""
        self.edgar_block_active.set_function(lambda: 1.0 if active() else 0.0)

    def filing_recorded(self, source: str, policy: str, lag_seconds: float | None) -> None:
        self.filings_recorded.labels(source, policy).inc()
        if lag_seconds is not None:
            self.detection_lag.labels(source).observe(max(0.0, lag_seconds))

    def notification(self, channel: str, result: str, latency_seconds: float | None = None) -> None:
        self.notifications.labels(channel, result).inc()
        if latency_seconds is not None:
            self.notification_latency.labels(channel).observe(max(0.0, latency_seconds))

    def message(self, channel: str, kind: str, result: str) -> None:
        self.messages.labels(channel, kind, result).inc()
