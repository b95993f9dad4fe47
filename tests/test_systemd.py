"""sd_notify(3) spoken to a datagram socket the test owns, as systemd would hold it."""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from edgarwatch.daemon.systemd import SystemdNotifier, Watchdog
from edgarwatch.secrets import Secret


@pytest.fixture
def manager(tmp_path: Path) -> Iterator[tuple[str, socket.socket]]:
    """A listening notify socket: (the value of $NOTIFY_SOCKET, the socket)."""
    path = tmp_path / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        sock.settimeout(5)
        yield str(path), sock


def receive(sock: socket.socket) -> str:
    return sock.recv(4096).decode()


def test_it_sends_the_life_cycle_messages(manager: tuple[str, socket.socket]) -> None:
    address, sock = manager
    notifier = SystemdNotifier({"NOTIFY_SOCKET": address})

    assert notifier.ready(status="Starting: database open")
    assert notifier.status("Last poll 10:00:30: 40 entries, 1 new 8-K")
    assert notifier.watchdog()
    assert notifier.stopping()

    assert receive(sock) == "READY=1\nSTATUS=Starting: database open"
    assert receive(sock) == "STATUS=Last poll 10:00:30: 40 entries, 1 new 8-K"
    assert receive(sock) == "WATCHDOG=1"
    assert receive(sock) == "STOPPING=1"
    notifier.close()


def test_it_speaks_to_an_abstract_namespace_socket() -> None:
    name = f"edgarwatch-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(5)
        notifier = SystemdNotifier({"NOTIFY_SOCKET": "@" + name})

        assert notifier.ready()
        assert receive(sock) == "READY=1"


def test_it_marks_a_reload_with_the_monotonic_clock(manager: tuple[str, socket.socket]) -> None:
    address, sock = manager
    notifier = SystemdNotifier({"NOTIFY_SOCKET": address})
    before = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000

    notifier.reloading()

    fields = dict(line.split("=", 1) for line in receive(sock).splitlines())
    assert fields["RELOADING"] == "1"
    after = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    assert before <= int(fields["MONOTONIC_USEC"]) <= after


def test_it_asks_for_more_start_up_time_in_microseconds(
    manager: tuple[str, socket.socket],
) -> None:
    address, sock = manager
    SystemdNotifier({"NOTIFY_SOCKET": address}).extend_timeout(90)

    assert receive(sock) == "EXTEND_TIMEOUT_USEC=90000000"


def test_it_keeps_a_status_on_one_line_with_secrets_masked(
    manager: tuple[str, socket.socket],
) -> None:
    address, sock = manager
    secret = Secret("https://hooks.slack.com/services/T0/B0/STATUSSECRET")
    notifier = SystemdNotifier({"NOTIFY_SOCKET": address})

    notifier.status(f"slack failed:\n  POST {secret.reveal()}\nREADY=1")

    message = receive(sock)
    assert message.startswith("STATUS=slack failed: POST ")
    assert "\n" not in message
    assert "STATUSSECRET" not in message


def test_it_is_a_silent_no_op_outside_systemd(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    notifier = SystemdNotifier({})

    assert not notifier.enabled
    assert notifier.ready() is False
    assert notifier.watchdog() is False
    assert notifier.stopping() is False
    assert notifier.watchdog_interval is None
    assert caplog.records == []


def test_it_reads_notify_socket_from_the_process_environment(
    manager: tuple[str, socket.socket], monkeypatch: pytest.MonkeyPatch
) -> None:
    address, sock = manager
    monkeypatch.setenv("NOTIFY_SOCKET", address)

    SystemdNotifier().ready()

    assert receive(sock) == "READY=1"


def test_it_warns_once_when_the_socket_is_gone(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = SystemdNotifier({"NOTIFY_SOCKET": str(tmp_path / "gone")})

    with caplog.at_level(logging.WARNING):
        results = [notifier.watchdog(), notifier.status("still here"), notifier.stopping()]

    assert results == [False, False, False]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert str(tmp_path / "gone") in warnings[0].getMessage()


def test_it_ignores_socket_kinds_it_does_not_speak(caplog: pytest.LogCaptureFixture) -> None:
    notifier = SystemdNotifier({"NOTIFY_SOCKET": "vsock:2:1234"})

    with caplog.at_level(logging.WARNING):
        assert notifier.ready() is False
    assert not notifier.enabled
    assert caplog.records == []


def test_it_delivers_every_message_intact_from_many_threads(
    manager: tuple[str, socket.socket],
) -> None:
    address, sock = manager
    notifier = SystemdNotifier({"NOTIFY_SOCKET": address})
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.extend(receive(sock) for _ in range(80)))
    reader.start()

    def send(thread: int) -> None:
        for i in range(10):
            notifier.status(f"thread {thread} message {i}")

    senders = [threading.Thread(target=send, args=(n,)) for n in range(8)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    reader.join(timeout=10)

    assert sorted(received) == sorted(
        f"STATUS=thread {n} message {i}" for n in range(8) for i in range(10)
    )


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"WATCHDOG_USEC": "120000000"}, 120.0),
        ({"WATCHDOG_USEC": "500000", "WATCHDOG_PID": str(os.getpid())}, 0.5),
        ({"WATCHDOG_USEC": "120000000", "WATCHDOG_PID": str(os.getpid() + 1)}, None),
        ({"WATCHDOG_USEC": "120000000", "WATCHDOG_PID": "not-a-pid"}, None),
        ({"WATCHDOG_USEC": "0"}, None),
        ({"WATCHDOG_USEC": "two minutes"}, None),
        ({}, None),
    ],
)
def test_it_reads_the_watchdog_interval(environ: dict[str, str], expected: float | None) -> None:
    assert SystemdNotifier(environ).watchdog_interval == expected


def test_it_pings_the_watchdog_only_while_healthy(manager: tuple[str, socket.socket]) -> None:
    address, sock = manager
    notifier = SystemdNotifier({"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "100000"})
    healthy = threading.Event()
    healthy.set()
    watchdog = Watchdog(notifier, healthy.is_set)

    watchdog.start()
    try:
        assert receive(sock) == "WATCHDOG=1"
        assert receive(sock) == "WATCHDOG=1"
        healthy.clear()
        time.sleep(0.2)  # let a ping already on its way arrive
        sock.setblocking(False)
        while True:
            try:
                sock.recv(4096)
            except BlockingIOError:
                break
        sock.settimeout(0.3)
        with pytest.raises(TimeoutError):
            sock.recv(4096)
    finally:
        watchdog.stop()


def test_it_does_not_start_a_watchdog_thread_without_a_watchdog(
    manager: tuple[str, socket.socket],
) -> None:
    address, _ = manager
    watchdog = Watchdog(SystemdNotifier({"NOTIFY_SOCKET": address}), lambda: True)
    before = {t.name for t in threading.enumerate()}

    watchdog.start()

    assert "systemd-watchdog" not in {t.name for t in threading.enumerate()} - before
    watchdog.stop()


def test_it_treats_a_failing_health_check_as_unhealthy(
    manager: tuple[str, socket.socket], caplog: pytest.LogCaptureFixture
) -> None:
    address, sock = manager
    notifier = SystemdNotifier({"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "100000"})

    def broken() -> bool:
        raise RuntimeError("scheduler gone")

    watchdog = Watchdog(notifier, broken)
    with caplog.at_level(logging.ERROR):
        watchdog.start()
        time.sleep(0.25)
        watchdog.stop()

    sock.settimeout(0.1)
    with pytest.raises(TimeoutError):
        sock.recv(4096)
    assert any("scheduler gone" in (r.exc_text or str(r.exc_info)) for r in caplog.records)
    assert re.search("no longer pinging", caplog.text)
