"""Running `edgarwatch` as a real process, the way systemd or an operator does."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from edgarwatch.storage import Storage


def edgarwatch(
    *args: str, env: Mapping[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run one `python -m edgarwatch …` command to completion."""
    return subprocess.run(
        [sys.executable, "-m", "edgarwatch", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_environment(env),
    )


class Daemon:
    """`edgarwatch run` in a subprocess, its stderr kept in a log file."""

    def __init__(self, config: Path, log: Path, env: Mapping[str, str] | None = None) -> None:
        self.config = config
        self.log = log
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Daemon:
        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "edgarwatch", "--config", str(self.config), "run"],
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=_environment(self.env),
        )
        handle.close()
        return self

    def terminate(self, timeout: float = 10.0) -> tuple[int, float]:
        """SIGTERM; return (exit status, seconds it took)."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=timeout)
        return code, time.monotonic() - started

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def __enter__(self) -> Daemon:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        if self.alive():
            assert self.process is not None
            self.process.kill()
            self.process.wait(timeout=10)


def wait_until(
    condition: Callable[[], Any], timeout: float = 20.0, every: float = 0.1, why: str = "condition"
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {why}")


def database_value(database: Path, sql: str, params: tuple[Any, ...] = ()) -> Any:
    """One value from the daemon's database, read through our own storage layer."""
    if not database.exists():
        return None
    storage = Storage.open(database)
    try:
        rows = storage.connections.query(sql, list(params))
    finally:
        storage.close()
    return next(iter(rows[0].values())) if rows else None


def _environment(extra: Mapping[str, str] | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("EDGARWATCH_", "NOTIFY_SOCKET", "WATCHDOG_", "JOURNAL_STREAM", "CREDENTIALS_DIRECTORY")
        )
    }
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env
