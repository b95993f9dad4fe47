"""An overall deadline for each HTTP exchange with EDGAR.

`requests` has only per-operation timeouts: the connect timeout, and a read
timeout that bounds each wait for the *next* bytes. A server (or a broken
middlebox) that trickles one byte every few seconds never trips either, and
holds a poll until systemd's watchdog kills the daemon minutes later.

How the deadline is enforced, and why this way: one watcher thread per
client holds every exchange in flight, and when one outlives its deadline
it calls `shutdown(SHUT_RDWR)` on that exchange's socket. Shutting a socket
down is the POSIX way to wake a thread blocked in `recv` on it, so the
exchange ends at the deadline whatever phase it is in: the TLS handshake,
the status line and headers (which `http.client` reads line by line, so a
trickle there is never seen by code reading the body), or the body. The
alternative, reading the body with urllib3's `read1()` and lowering the
socket timeout to the time left before each read, is simpler but only
covers the body, and reaches into `requests`' private attributes for the
socket. The body loop still checks the deadline between reads (cheap, and
it catches an exchange the watcher expired between two reads), and the
result of an expired exchange is never used: a connection cut short can
look like a complete close-delimited body.

The sockets are found through urllib3's documented extension point: pools
whose `ConnectionCls` registers each socket (a new one in `_new_conn`, a
kept-alive one in `request`) with the exchange running in that thread.
"""

from __future__ import annotations

import socket
import threading
import time
from contextlib import suppress
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool, PoolManager, ProxyManager
from urllib3.connection import HTTPConnection, HTTPSConnection


class DeadlineExceeded(requests.Timeout):
    """The exchange did not complete within its overall deadline."""


class Exchange:
    """One request/response in flight: its deadline and the socket it runs on."""

    def __init__(self, deadline: float, seconds: float) -> None:
        self.deadline = deadline
        self.seconds = seconds
        self.expired = False
        self._socket: socket.socket | None = None
        self._lock = threading.Lock()

    def attach(self, sock: socket.socket | None) -> None:
        """Called in the requesting thread whenever it starts using a socket."""
        with self._lock:
            if sock is not None:
                self._socket = sock
            expired = self.expired
        if expired:
            self._cut(sock)
            raise DeadlineExceeded(self.describe())

    def expire(self) -> None:
        """Called by the watcher: end the exchange now, wherever it is blocked."""
        with self._lock:
            self.expired = True
            sock = self._socket
        self._cut(sock)

    def check(self) -> None:
        if self.expired or time.monotonic() >= self.deadline:
            self.expired = True
            raise DeadlineExceeded(self.describe())

    def describe(self) -> str:
        return f"no complete answer within the {self.seconds:g} s deadline"

    @staticmethod
    def _cut(sock: socket.socket | None) -> None:
        if sock is not None:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


_current = threading.local()
"""The exchange the current thread is running (set by `Watcher.watching`)."""


def _attach(sock: socket.socket | None) -> None:
    exchange: Exchange | None = getattr(_current, "exchange", None)
    if exchange is not None:
        exchange.attach(sock)


class Watcher:
    """Expires exchanges at their deadline; one daemon thread, started on first use.

    Every client of the process shares one (`shared_watcher`): the daemon runs a
    client per cycle kind and per reader, and they need no thread each.
    """

    def __init__(self) -> None:
        self._live: set[Exchange] = set()
        self._condition = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False

    def start(self, seconds: float) -> Exchange:
        """Watch a new exchange in the calling thread; pair with `finish`."""
        exchange = Exchange(time.monotonic() + seconds, seconds)
        with self._condition:
            self._live.add(exchange)
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(
                    target=self._run, name="edgar-deadline", daemon=True
                )
                self._thread.start()
            self._condition.notify()
        _current.exchange = exchange
        return exchange

    def finish(self, exchange: Exchange) -> None:
        _current.exchange = None
        with self._condition:
            self._live.discard(exchange)

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify()
            thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=1.0)

    def _run(self) -> None:
        with self._condition:
            while not self._closed:
                now = time.monotonic()
                for exchange in [e for e in self._live if e.deadline <= now]:
                    self._live.discard(exchange)
                    exchange.expire()
                nearest = min((e.deadline for e in self._live), default=None)
                self._condition.wait(None if nearest is None else max(0.0, nearest - now))


_shared: Watcher | None = None
_shared_lock = threading.Lock()


def shared_watcher() -> Watcher:
    """The process's one watcher (its thread idles while nothing is in flight)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Watcher()
        return _shared


class _WatchedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        _attach(None)  # expired while waiting for the limiter or the pool: do not connect
        sock = super()._new_conn()
        _attach(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach(self.sock)  # a kept-alive connection: its socket is this exchange's now
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        _attach(None)
        sock = super()._new_conn()
        _attach(sock)  # the raw socket: shutting it down also ends a TLS handshake
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach(self.sock)
        super().request(*args, **kwargs)


class _WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOLS = {"http": _WatchedHTTPConnectionPool, "https": _WatchedHTTPSConnectionPool}


class WatchedAdapter(HTTPAdapter):
    """A requests adapter whose connections report their sockets to the watcher."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> PoolManager:
        manager: PoolManager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if type(manager) is ProxyManager:  # SOCKS managers bring their own connections
            manager.pool_classes_by_scheme = _POOLS
        return manager
