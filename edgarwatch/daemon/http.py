"""`[http] listen`: `/metrics` for Prometheus and `/healthz` for probes, on one port.

`HttpEndpoint` is the daemon's side of it: off unless `[http] listen` is set
(then its `metrics` are `NO_METRICS` and `start`/`stop` do nothing); when set,
it makes the daemon's `Metrics`, which `build_runtime` hands to every part,
and serves them from one background thread, started after READY=1 and
stopped first on SIGTERM (within half a second: the 10 s promise holds).

* `/metrics` — the registry in Prometheus' text format (prometheus_client's
  WSGI app: gzip and OpenMetrics when asked for), plus what lives in the
  database, read at scrape time by `DatabaseCollector`;
* `/healthz` — 200 `{"healthy": true, "problems": []}`, or 503 with the
  problems: the rules of `edgarwatch status` (`status.collect`), the same
  code, so the two never disagree. `collect` also works out status's figures
  (latencies, today's counts): on a whole-market database of a year that is
  ~0.1 s of queries, so an answer is reused for `HEALTH_REUSE_SECONDS` and
  computed by one request at a time, however often probes ask.

Both read the database through a read-only connection opened for the request
and closed after it (`Storage.open_readonly`: `mode=ro`, `query_only`): a
scrape never writes, never takes the write lock, and leaves no connection
behind in a request thread that has ended. Every request has its own thread
and a socket timeout, so a client that connects and says nothing holds
neither the other requests nor the stop.

A port that cannot be bound (another process holds it) is said at error
level and tried again every `BIND_RETRY_SECONDS`: watching EDGAR matters more
than being watched, so the daemon runs on without it (Prometheus' `up`
turns 0 and says so).
"""

from __future__ import annotations

import json
import logging
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from prometheus_client import make_wsgi_app
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from edgarwatch.config import Settings
from edgarwatch.daemon.status import collect
from edgarwatch.metrics import NO_METRICS, Instruments, Metrics
from edgarwatch.storage import Storage, StorageError
from edgarwatch.storage.timefmt import utc_now

logger = logging.getLogger(__name__)

BIND_RETRY_SECONDS = 30.0
REQUEST_TIMEOUT_SECONDS = 10.0
"""A client silent for this long is hung up on."""
POLL_INTERVAL_SECONDS = 0.25
"""How soon the server thread notices a stop."""
HEALTH_REUSE_SECONDS = 2.0
"""A /healthz answer this recent is given again instead of querying anew."""


@contextmanager
def reading(database: Path) -> Iterator[Storage]:
    """The database, read-only, for one request; closed after it."""
    storage = Storage.open_readonly(database)
    try:
        with storage.reading():
            yield storage
    finally:
        storage.close()


def health(settings: Settings) -> tuple[bool, list[str]]:
    """(healthy, problems) by `edgarwatch status`'s rules; an unreadable database is a
    problem too."""
    try:
        with reading(settings.storage.path) as storage:
            report = collect(settings, storage)
    except StorageError as exc:
        return False, [str(exc)]
    return bool(report["healthy"]), list(report["problems"])


class DatabaseCollector(Collector):
    """The gauges that live in the database, read at each scrape: each channel's
    pending notifications and how long the oldest has waited, its dead ones (not
    dismissed), and the filings still waiting for their documents to be read.

    Configured channels always have a series (0 when nothing waits). When the
    database cannot be read these series are left out of the scrape, and that
    is logged once per change."""

    def __init__(self, database: Path, channels: Sequence[str]) -> None:
        self.database = database
        self.channels = tuple(channels)
        self._failing = ""
        self._lock = threading.Lock()

    def describe(self) -> Iterable[GaugeMetricFamily]:
        return list(self._families())

    def collect(self) -> Iterable[GaugeMetricFamily]:
        try:
            with reading(self.database) as storage:
                backlog = storage.outbox.backlog()
                awaiting = storage.filings.pending_enrichment_count()
        except StorageError as exc:
            self._trouble(str(exc))
            return []
        self._trouble("")
        pending, oldest, dead, documents = self._families()
        now = utc_now()
        found = {row.channel: row for row in backlog}
        for channel in sorted(set(self.channels) | set(found)):
            row = found.get(channel)
            pending.add_metric([channel], row.pending if row else 0)
            oldest.add_metric([channel], _age(row.oldest_pending if row else None, now))
            dead.add_metric([channel], row.dead if row else 0)
        documents.add_metric([], awaiting)
        return [pending, oldest, dead, documents]

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, ...]:
        return (
            GaugeMetricFamily(
                "edgarwatch_outbox_pending",
                "Notifications waiting to be sent (first tries and retries), by channel.",
                labels=["channel"],
            ),
            GaugeMetricFamily(
                "edgarwatch_outbox_oldest_pending_age_seconds",
                "How long the oldest pending notification has waited since it was "
                "queued, by channel (0: none pending).",
                labels=["channel"],
            ),
            GaugeMetricFamily(
                "edgarwatch_notifications_dead",
                "Dead notifications not dismissed, by channel (`edgarwatch notifications`).",
                labels=["channel"],
            ),
            GaugeMetricFamily(
                "edgarwatch_filings_awaiting_documents",
                "Recorded filings whose documents are still to be read.",
            ),
        )

    def _trouble(self, problem: str) -> None:
        with self._lock:
            changed, self._failing = problem != self._failing, problem
        if changed and problem:
            logger.warning("metrics: cannot read the database: %s", problem)
        elif changed:
            logger.info("metrics: the database can be read again")


def _age(moment: datetime | None, now: datetime) -> float:
    return max(0.0, (now - moment).total_seconds()) if moment else 0.0


class HttpEndpoint:
    """The daemon's metrics and health endpoint (see the module docstring)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.metrics: Instruments = NO_METRICS
        self._app: WSGIApplication | None = None
        if settings.http.listen:
            channels = tuple(channel.name for channel in settings.channels)
            metrics = Metrics(channels)
            metrics.registry.register(DatabaseCollector(settings.storage.path, channels))
            self.metrics, self._app = metrics, make_wsgi_app(metrics.registry)
        self._checked: tuple[float, tuple[bool, list[str]]] | None = None
        self._checking = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Serve from a thread of its own (binding there too: it may have to wait)."""
        if self._app is None or self._thread is not None:
            return
        self._remember_last_poll()
        self._thread = threading.Thread(target=self._run, name="http", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 1.0) -> None:
        """Stop serving; returns within `timeout` whatever a client is doing."""
        self._stopping.set()
        with self._lock:
            server = self._server
        if server is not None:
            server.shutdown()  # the accept loop only: requests run in their own threads
        if self._thread is not None:
            self._thread.join(timeout)

    # -- serving ---------------------------------------------------------------
    def app(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """/metrics, /healthz; GET (or HEAD) only. A failure is logged like any other
        (wsgiref would print it to stderr, past the log format and its redaction)."""
        try:
            return self._route(environ, start_response)
        except Exception:  # a 500 for this request; the daemon goes on
            logger.exception("%s failed", environ.get("PATH_INFO", "a request"))
            start_response(
                "500 Internal Server Error",
                [*_NO_CACHE, ("Content-Type", "text/plain; charset=utf-8")],
                sys.exc_info(),
            )
            return [b"internal error: see the daemon's log\n"]

    def _route(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        assert self._app is not None
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")
        if method not in ("GET", "HEAD"):
            return _plain(
                start_response, "405 Method Not Allowed", "GET only\n", [("Allow", "GET, HEAD")]
            )
        if path == "/metrics":
            body = self._app(environ, start_response)
        elif path == "/healthz":
            body = self._health(start_response)
        else:
            body = _plain(start_response, "404 Not Found", "edgarwatch: /metrics, /healthz\n")
        return [] if method == "HEAD" else body

    def _health(self, start_response: StartResponse) -> list[bytes]:
        healthy, problems = self._check()
        payload = json.dumps({"healthy": healthy, "problems": problems}, ensure_ascii=False)
        status = "200 OK" if healthy else "503 Service Unavailable"
        body = (payload + "\n").encode()
        start_response(status, [*_NO_CACHE, ("Content-Type", "application/json")])
        return [body]

    def _check(self) -> tuple[bool, list[str]]:
        with self._checking:
            now = time.monotonic()
            if self._checked is None or now - self._checked[0] >= HEALTH_REUSE_SECONDS:
                self._checked = (now, health(self.settings))
            return self._checked[1]

    def _run(self) -> None:
        host, port = self.settings.http.address
        problem = ""
        while not self._stopping.is_set():
            try:
                server = _bind(host, port, self.app)
            except OSError as exc:
                if str(exc) != problem:
                    problem = str(exc)
                    logger.error(
                        "cannot serve /metrics and /healthz on %s: %s; trying again every %.0f s",
                        self.settings.http.listen,
                        exc,
                        BIND_RETRY_SECONDS,
                    )
                self._stopping.wait(BIND_RETRY_SECONDS)
                continue
            with self._lock:
                if self._stopping.is_set():
                    server.server_close()
                    return
                self._server = server
            logger.info("serving /metrics and /healthz on http://%s", self.settings.http.listen)
            try:
                server.serve_forever(poll_interval=POLL_INTERVAL_SECONDS)
            finally:
                server.server_close()
            return

    def _remember_last_poll(self) -> None:
        """The last successful poll before this start, so the gauge never reads 0 (1970)
        across a restart; a poll finishing meanwhile keeps its newer time."""
        try:
            with reading(self.settings.storage.path) as storage:
                last = storage.state.last_poll_ok()
        except StorageError:
            return
        if last is not None:
            self.metrics.poll_succeeded(last)


_NO_CACHE = [("Cache-Control", "no-store")]


def _plain(
    start_response: StartResponse, status: str, text: str, headers: Sequence[tuple[str, str]] = ()
) -> list[bytes]:
    start_response(status, [*_NO_CACHE, ("Content-Type", "text/plain; charset=utf-8"), *headers])
    return [text.encode()]


class _Handler(WSGIRequestHandler):
    timeout = REQUEST_TIMEOUT_SECONDS

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    """A thread per request (daemon threads: a stuck client never holds the exit)."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, family: socket.AddressFamily, address: Any, app: WSGIApplication) -> None:
        self.address_family = family
        super().__init__(address, _Handler)
        self.set_app(app)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out or hung up: socketserver would print a traceback.
        logger.debug("request from %s ended: %r", client_address, sys.exc_info()[1])

    def server_bind(self) -> None:
        # HTTPServer.server_bind asks DNS for the host's full name (socket.getfqdn);
        # nothing here needs it, and a slow resolver must not delay serving.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]
        self.setup_environ()


def _bind(host: str, port: int, app: WSGIApplication) -> _Server:
    """A server listening on (host, port): IPv4 or IPv6, as the address (or name) is."""
    family, _, _, _, address = socket.getaddrinfo(
        host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    return _Server(family, address, app)
