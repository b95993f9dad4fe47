"""Tell systemd how the daemon is doing: the sd_notify(3) protocol, without libsystemd.

Under `Type=notify` (deploy/edgarwatch.service) systemd passes the path of a
datagram socket in `$NOTIFY_SOCKET`; the daemon sends newline-separated
`KEY=value` assignments to it:

* `READY=1` once the configuration is valid and the database open (start-up
  is complete; until then `systemctl start` waits);
* `STATUS=…` with the last poll's outcome, shown by `systemctl status`;
* `WATCHDOG=1` at least every `$WATCHDOG_USEC` while healthy, or systemd
  kills and restarts the service (`WatchdogSec=`, systemd.service(5));
* `RELOADING=1` … `READY=1` around a SIGHUP reload; `STOPPING=1` on shutdown;
* `EXTEND_TIMEOUT_USEC=…` to ask for more start-up time (long migrations).

Outside systemd (`$NOTIFY_SOCKET` unset) every method is a silent no-op, so
`edgarwatch run` in a terminal or a test behaves the same. Notification is
best effort: a failure to send never raises into the daemon; it is logged as a
warning once (systemd restarting, the socket gone), later ones at debug level.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping

from edgarwatch.secrets import redact

logger = logging.getLogger(__name__)

SEND_TIMEOUT_SECONDS = 2.0
"""A wedged service manager must not wedge the daemon's watchdog or poll thread."""

STATUS_MAX_CHARS = 1024
"""systemd reads at most PIPE_BUF (4096) bytes per message; a status is one line."""


class SystemdNotifier:
    """Sends sd_notify(3) messages to `$NOTIFY_SOCKET`; thread-safe, never raises.

    `environ` defaults to `os.environ` and is read once, when the notifier is
    made (tests pass their own mapping).
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self._address = _socket_address(env.get("NOTIFY_SOCKET", ""))
        self._watchdog_usec = env.get("WATCHDOG_USEC", "")
        self._watchdog_pid = env.get("WATCHDOG_PID", "")
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._warned = False

    @property
    def enabled(self) -> bool:
        """Whether there is a service manager listening (we run under `Type=notify`)."""
        return self._address is not None

    @property
    def watchdog_interval(self) -> float | None:
        """`WatchdogSec=` in seconds, or None when no watchdog is armed for this process.

        sd_watchdog_enabled(3): `$WATCHDOG_USEC` is the timeout; when
        `$WATCHDOG_PID` is set the watchdog is meant for that process only (a
        child that inherited the environment must not ping). Ping at half of
        this interval, as that man page recommends.
        """
        try:
            usec = int(self._watchdog_usec)
        except ValueError:
            return None
        if usec <= 0:
            return None
        if self._watchdog_pid:
            try:
                if int(self._watchdog_pid) != os.getpid():
                    return None
            except ValueError:
                return None
        return usec / 1_000_000

    # -- the messages -------------------------------------------------------------
    def ready(self, status: str | None = None) -> bool:
        """Start-up (or a reload) is complete: `READY=1`, optionally with a status."""
        return self.notify("READY=1", *_status_field(status))

    def status(self, text: str) -> bool:
        """One line for `systemctl status`, e.g. the last poll's outcome."""
        return self.notify(*_status_field(text))

    def watchdog(self) -> bool:
        """Keep-alive: `WATCHDOG=1`. Send it only while the daemon is really working."""
        return self.notify("WATCHDOG=1")

    def reloading(self) -> bool:
        """A SIGHUP reload begins; call `ready()` when it is done.

        `MONOTONIC_USEC=` lets systemd >= 253 (`Type=notify-reload`) match the
        reload to the request; older versions ignore it.
        """
        now_usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        return self.notify("RELOADING=1", f"MONOTONIC_USEC={now_usec}")

    def stopping(self) -> bool:
        """Shutdown begins (SIGTERM received): `STOPPING=1`."""
        return self.notify("STOPPING=1")

    def extend_timeout(self, seconds: float) -> bool:
        """Ask for `seconds` more before `TimeoutStartSec=`/`TimeoutStopSec=` expire."""
        return self.notify(f"EXTEND_TIMEOUT_USEC={max(0, int(seconds * 1_000_000))}")

    def notify(self, *fields: str) -> bool:
        """Send `KEY=value` fields as one datagram; True if it was delivered."""
        if self._address is None or not fields:
            return False
        message = "\n".join(fields).encode("utf-8", "replace")
        with self._lock:
            try:
                self._send(message)
            except (OSError, ValueError) as exc:
                self._report(exc)
                return False
        return True

    def close(self) -> None:
        with self._lock:
            if self._socket is not None:
                self._socket.close()
                self._socket = None

    # -- internals -----------------------------------------------------------------
    def _send(self, message: bytes) -> None:
        """sendto() on one unconnected socket: it finds the path again after systemd re-execs."""
        if self._socket is None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            sock.settimeout(SEND_TIMEOUT_SECONDS)
            self._socket = sock
        assert self._address is not None
        self._socket.sendto(message, self._address)

    def _report(self, exc: Exception) -> None:
        if self._warned:
            logger.debug("sd_notify to %s failed again: %s", self._shown_address(), exc)
            return
        self._warned = True
        logger.warning(
            "cannot notify systemd through %s (%s); status and watchdog updates are lost "
            "until it is back, and a watchdog timeout may restart the service",
            self._shown_address(),
            exc,
        )

    def _shown_address(self) -> str:
        address = self._address or ""
        return "@" + address[1:] if address.startswith("\0") else address


class Watchdog:
    """Pings `WATCHDOG=1` from its own thread every half interval while `is_healthy()`.

    The daemon passes a check of its poll loop (e.g. "a poll cycle finished
    within twice the current interval plus the longest a cycle may take"), so
    a hung poll stops the pings and systemd restarts the service, while a slow
    off-hours schedule (300 s between polls) does not. Without a watchdog
    armed (`watchdog_interval` is None) `start()` does nothing.
    """

    def __init__(self, notifier: SystemdNotifier, is_healthy: Callable[[], bool]) -> None:
        self._notifier = notifier
        self._is_healthy = is_healthy
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._unhealthy_reported = False

    def start(self) -> None:
        interval = self._notifier.watchdog_interval
        if interval is None or self._thread is not None:
            return
        self._thread = threading.Thread(
            target=self._run, args=(interval / 2,), name="systemd-watchdog", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=SEND_TIMEOUT_SECONDS + 1)

    def _run(self, period: float) -> None:
        while not self._stop.is_set():
            self._ping_if_healthy()
            self._stop.wait(period)

    def _ping_if_healthy(self) -> None:
        try:
            healthy = self._is_healthy()
        except Exception:
            logger.exception("the watchdog health check failed; not pinging systemd")
            healthy = False
        if healthy:
            self._unhealthy_reported = False
            self._notifier.watchdog()
        elif not self._unhealthy_reported:
            self._unhealthy_reported = True
            logger.error("the poll loop looks hung; no longer pinging the systemd watchdog")


def _socket_address(value: str) -> str | None:
    """`$NOTIFY_SOCKET` as an AF_UNIX address: a path, or `@name` in the abstract namespace."""
    if value.startswith("/"):
        return value
    if value.startswith("@") and len(value) > 1:
        return "\0" + value[1:]
    if value:
        # vsock:… (systemd >= 253, for VMs) and anything else we do not speak.
        logger.debug("ignoring NOTIFY_SOCKET=%r: not an AF_UNIX socket address", value)
    return None


def _status_field(text: str | None) -> tuple[str, ...]:
    """`STATUS=…` on one line (a newline would start a new assignment), secrets masked."""
    if text is None:
        return ()
    line = " ".join(redact(text).split())
    if len(line) > STATUS_MAX_CHARS:
        line = line[: STATUS_MAX_CHARS - 1] + "…"
    return (f"STATUS={line}",)
