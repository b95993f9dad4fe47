"""What an idle daemon writes to disk per poll: the real daemon, nothing new on EDGAR.

Starts the EDGAR replay (on a business day's clock, 10:00 ET, so the sweep
and full-text search run as in filing hours) with a day's 8-Ks already on
it, and `edgarwatch run` (a subprocess, a fresh database, 50 watched
companies, a 1 s poll, shipped defaults otherwise). Once the start-up is
over (baseline read, first sweep, full-text search and catch-up), it counts
for `--polls` polls (the poll's own request at the replay), EDGAR publishing
nothing:

* **write_bytes** of the daemon's process (`/proc/PID/io`, less
  cancelled_write_bytes): what the kernel charges it for storage — the
  database, its WAL and shared-memory index, the rate limiter's file beside
  them, the log — i.e. what wears an SD card;
* **WAL frames** appended (read from the WAL file's frame headers, 4 KiB page
  + 24 B each): the database's own writes (a checkpoint later copies those
  pages into the database file: at most as many bytes again).

    python benchmarks/idle_writes.py --polls 10000     # 2 h 47 min at 1 s
    python benchmarks/idle_writes.py --polls 600       # a 10-minute check
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from edgarwatch.replay.clock import ReplayClock, eastern  # noqa: E402
from edgarwatch.replay.server import Replay, ReplayServer  # noqa: E402
from tests.loadgen import business_day_env, companies, daemon_config, is_poll  # noqa: E402
from tests.process import Daemon, database_value, wait_until  # noqa: E402
from tests.support import eight_k  # noqa: E402

WAL_HEADER = 32
FRAME_HEADER = 24


class WalFrames:
    """Counts the frames appended to a SQLite WAL file, across checkpoints (a new salt:
    the log restarted from its beginning), by sampling its frame headers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.salt = b""
        self.current = 0
        self.appended = 0
        self.page_size = 4096

    def sample(self) -> None:
        try:
            with self.path.open("rb") as wal:
                header = wal.read(WAL_HEADER)
                if len(header) < WAL_HEADER:
                    return
                self.page_size = int.from_bytes(header[8:12], "big")
                salt = header[16:24]
                frames = 0
                while True:
                    wal.seek(WAL_HEADER + frames * (FRAME_HEADER + self.page_size))
                    frame = wal.read(FRAME_HEADER)
                    if len(frame) < FRAME_HEADER or frame[8:16] != salt:
                        break
                    frames += 1
        except FileNotFoundError:
            return
        if salt != self.salt:
            self.appended += frames
            self.salt = salt
        else:
            self.appended += max(0, frames - self.current)
        self.current = frames

    @property
    def frame_bytes(self) -> int:
        return FRAME_HEADER + self.page_size


def process_io(pid: int) -> dict[str, int]:
    lines = Path(f"/proc/{pid}/io").read_text().splitlines()
    return {key: int(value) for key, value in (line.split(": ") for line in lines)}


@dataclass
class Idle:
    polls: int
    seconds: float
    write_bytes: int
    wal_frames: int
    frame_bytes: int
    requests: int


def run(
    interval: int,
    polls: int,
    at: str,
    *,
    rate_file_in: Path | None = None,
    report_every: int = 0,
) -> Idle:
    replay = Replay(clock=ReplayClock(eastern(at)))
    filers = companies(150)
    for n, filer in enumerate(filers):  # the day so far
        replay.publish(eight_k(filer, ["8.01"]), replay.now() - timedelta(minutes=3 * (150 - n)))
    with ReplayServer(replay) as edgar, tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "edgarwatch.db"
        if rate_file_in is not None:  # out of the count: a symlink to another filesystem
            rate_file = rate_file_in / f"edgarwatch-idle-{time.time_ns()}.rate"
            database.with_name(database.name + ".rate").symlink_to(rate_file)
        config = daemon_config(
            Path(tmp) / "config.toml",
            edgar.url,
            database,
            interval=interval,
            watch=f"ciks = [{', '.join(str(c.cik) for c in filers[:50])}]",
            rate=5,
        )
        env = business_day_env(replay.now())
        with Daemon(config, Path(tmp) / "daemon.log", env=env) as daemon:
            assert daemon.process is not None
            pid = daemon.process.pid
            wait_until(
                lambda: (
                    database_value(
                        database,
                        "SELECT count(*) FROM filings WHERE enrich_status = 'pending'",
                    )
                    == 0
                    and database_value(
                        database, "SELECT count(*) FROM polls WHERE kind = 'reconcile'"
                    )
                ),
                timeout=120,
                why="the start-up: baseline read, catch-up",
            )
            time.sleep(15)  # the first sweep and full-text search
            wal = WalFrames(database.with_name(database.name + "-wal"))
            wal.sample()
            before_io, before_wal = process_io(pid), wal.appended
            started = time.monotonic()
            first = len(replay.requests())
            counted = reported = 0
            while counted < polls:
                time.sleep(0.5)
                wal.sample()
                counted = sum(1 for r in replay.requests()[first:] if is_poll(r))
                if report_every and counted >= reported + report_every:
                    reported = counted - counted % report_every
                    so_far = process_io(pid)
                    print(
                        describe(
                            Idle(
                                counted,
                                time.monotonic() - started,
                                written_since(before_io, so_far),
                                wal.appended - before_wal,
                                wal.frame_bytes,
                                len(replay.requests()) - first,
                            ),
                            interval,
                            " (so far)",
                        ),
                        flush=True,
                    )
            after_io = process_io(pid)
            seconds = time.monotonic() - started
            requests = len(replay.requests()) - first
            daemon.terminate()
    return Idle(
        counted,
        seconds,
        written_since(before_io, after_io),
        wal.appended - before_wal,
        wal.frame_bytes,
        requests,
    )


def written_since(before: dict[str, int], after: dict[str, int]) -> int:
    """Bytes the kernel charged the process for storage between two readings."""
    return (after["write_bytes"] - before["write_bytes"]) - (
        after["cancelled_write_bytes"] - before["cancelled_write_bytes"]
    )


def describe(idle: Idle, interval: int, where: str) -> str:
    wal_bytes = idle.wal_frames * idle.frame_bytes
    return (
        f"idle at a {interval} s poll{where}: {idle.polls} polls in "
        f"{idle.seconds / 60:.1f} min "
        f"({idle.requests} requests to EDGAR)\n"
        f"  process write_bytes: {idle.write_bytes} B, "
        f"{idle.write_bytes / max(1, idle.polls):.0f} B per poll\n"
        f"  WAL: {idle.wal_frames} frames appended ({wal_bytes} B), "
        f"{wal_bytes / max(1, idle.polls):.0f} B per poll"
        f" (checkpoints copy at most as much again into the database file)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=int, default=1, help="poll.interval_seconds")
    parser.add_argument("--polls", type=int, default=10_000)
    parser.add_argument("--at", default="2026-03-10 10:00", help="the replay's start (ET)")
    parser.add_argument(
        "--rate-file-in",
        type=Path,
        help="keep the rate limiter's file there (e.g. /dev/shm) to count the rest alone",
    )
    parser.add_argument(
        "--report-every",
        type=int,
        default=1000,
        help="print the figures so far every this many polls (0: only at the end)",
    )
    args = parser.parse_args()
    idle = run(
        args.interval,
        args.polls,
        args.at,
        rate_file_in=args.rate_file_in,
        report_every=args.report_every,
    )
    where = f", rate file in {args.rate_file_in}" if args.rate_file_in else ""
    print(describe(idle, args.interval, where))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
