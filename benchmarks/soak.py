"""Soak: the real daemon for thousands of polls; do its descriptors, memory and threads stay flat?

Starts the EDGAR replay and a loopback Slack receiver, runs `edgarwatch run`
with a short poll interval, publishes an Item 1.01 filing of a watched
company every `--every` polls (each one read, recorded and sent to Slack),
and counts polls as the replay's getcurrent requests (the feed's first page). Every `--sample`
polls it prints the daemon's resident memory (VmRSS), open descriptors
(/proc/PID/fd) and threads; at the end, the growth from the first sample
(start-up allocations done) to the last, and a verdict: flat descriptors
and less than 5 MB of growth.

    python benchmarks/soak.py --polls 10000 --interval 0.15 --every 100

At most 8 requests a second reach the replay (the client's ceiling), so
10,000 polls take about 25 minutes. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from edgarwatch.replay.catalog import ReplayFiling  # noqa: E402
from edgarwatch.replay.server import Replay, ReplayServer  # noqa: E402
from tests.process import Daemon, database_value, wait_until  # noqa: E402
from tests.servers.slack_receiver import SlackReceiver  # noqa: E402
from tests.support import company, eight_k, write_config  # noqa: E402

WATCHED = company(855654, "IMMUNOGEN INC", ticker="IMGN")
POLL_REQUEST = "start=0&count=10&"
"""The poll's first request: the feed's first 10 entries (a sweep reads pages of 100)."""
FD_GROWTH_ALLOWED = 2
"""Descriptors that may be open at one sample and not another: an HTTP
connection in flight, the rate file while it is locked."""
RSS_GROWTH_ALLOWED_MB = 5.0


@dataclass(frozen=True)
class Sample:
    polls: int
    seconds: float
    rss_mb: float
    descriptors: int
    threads: int
    notifications: int


def sample(pid: int, polls: int, started: float, notifications: int) -> Sample:
    status = Path(f"/proc/{pid}/status").read_text()
    rss = re.search(r"^VmRSS:\s+(\d+)\s+kB", status, re.M)
    threads = re.search(r"^Threads:\s+(\d+)", status, re.M)
    return Sample(
        polls=polls,
        seconds=time.monotonic() - started,
        rss_mb=int(rss.group(1)) / 1024 if rss else 0.0,
        descriptors=len(list(Path(f"/proc/{pid}/fd").iterdir())),
        threads=int(threads.group(1)) if threads else 0,
        notifications=notifications,
    )


def soak(polls: int, interval: float, every: int, every_sample: int) -> list[Sample]:
    replay = Replay()
    deals = [eight_k(WATCHED, {"1.01": f"Agreement number {n}."}) for n in range(polls // every)]
    for deal in deals:
        replay.add(deal)
    with (
        ReplayServer(replay) as edgar,
        SlackReceiver() as slack,
        tempfile.TemporaryDirectory(prefix="edgarwatch-soak-") as tmp,
    ):
        database = Path(tmp) / "edgarwatch.db"
        config = write_config(
            Path(tmp) / "config.toml",
            edgar.url,
            database,
            extra=f'[slack]\nwebhook_url = "{slack.url}"\n[notify]\ndispatch_seconds = 1\n',
            watch="ciks = [855654]",
        )
        text = config.read_text()
        for key in ("interval_seconds", "off_hours_interval_seconds"):
            text = text.replace(f"\n{key} = 1\n", f"\n{key} = {interval}\n")
        config.write_text(text)
        with Daemon(config, Path(tmp) / "daemon.log") as daemon:
            assert daemon.process is not None
            wait_until(
                lambda: database_value(
                    database, "SELECT value FROM state WHERE key = 'baseline_at'"
                ),
                timeout=60,
                why="the baseline poll",
            )
            samples = _run(replay, slack, daemon, polls, every, every_sample, deals)
            code, _ = daemon.terminate()
            if code != 0:
                print(f"daemon exited {code}; log:\n{daemon.output()[-3000:]}", file=sys.stderr)
    return samples


def _run(
    replay: Replay,
    slack: SlackReceiver,
    daemon: Daemon,
    polls: int,
    every: int,
    every_sample: int,
    deals: list[ReplayFiling],
) -> list[Sample]:
    assert daemon.process is not None
    pid = daemon.process.pid
    started = time.monotonic()
    samples: list[Sample] = []
    published = 0
    next_sample = every_sample
    while True:
        done = len(replay.requests(POLL_REQUEST))
        if published < len(deals) and done >= (published + 1) * every:
            replay.publish(deals[published].accession)
            published += 1
        if done >= next_sample:
            samples.append(sample(pid, done, started, len(slack.requests)))
            print(_line(samples[-1]), flush=True)
            next_sample += every_sample
        if done >= polls or not daemon.alive():
            break
        time.sleep(0.2)
    slack.wait_for(published, timeout=60)
    return samples


def _line(s: Sample) -> str:
    return (
        f"{s.polls:6d} polls  {s.seconds:6.0f} s  RSS {s.rss_mb:6.1f} MB  "
        f"descriptors {s.descriptors:3d}  threads {s.threads:2d}  notifications {s.notifications}"
    )


def verdict(samples: list[Sample]) -> tuple[bool, str]:
    if len(samples) < 2:
        return False, "too few samples for a verdict"
    first, last = samples[0], samples[-1]
    fd_growth = last.descriptors - first.descriptors
    rss_growth = last.rss_mb - first.rss_mb
    ok = fd_growth <= FD_GROWTH_ALLOWED and rss_growth < RSS_GROWTH_ALLOWED_MB
    text = (
        f"from {first.polls} to {last.polls} polls ({last.notifications} notifications): "
        f"descriptors {first.descriptors} -> {last.descriptors} ({fd_growth:+d}), "
        f"RSS {first.rss_mb:.1f} -> {last.rss_mb:.1f} MB ({rss_growth:+.1f} MB), "
        f"threads {first.threads} -> {last.threads}: " + ("FLAT" if ok else "GROWING")
    )
    return ok, text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polls", type=int, default=10_000, help="stop after this many polls")
    parser.add_argument(
        "--interval", type=float, default=0.15, help="poll.interval_seconds (>= 0.1)"
    )
    parser.add_argument(
        "--every", type=int, default=100, help="publish an Item 1.01 filing every N polls"
    )
    parser.add_argument("--sample", type=int, default=1_000, help="print figures every N polls")
    args = parser.parse_args()
    samples = soak(args.polls, args.interval, args.every, args.sample)
    ok, text = verdict(samples)
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
