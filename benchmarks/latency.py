"""Detection latency, sub-second: EDGAR publishing an Item 1.01 → Slack receiving it,
through the real daemon.

For each poll interval, starts the EDGAR replay (on a business day's clock,
10:00 ET, so the daemon runs as in filing hours), a loopback Slack webhook
that takes 1 message/s as Slack does and timestamps each message on its own
clock, and `edgarwatch run` (a subprocess, a fresh database, watching one
company, shipped defaults otherwise). Once the baseline is read, it
publishes Item 1.01 filings of the watched company one at a time at random
moments (uniform over `--spread` seconds, so they land at every phase of the
poll) and measures, per filing, Slack's arrival time minus the moment the
replay put it on the feed: the poll's wait, paging, reading the filing,
rendering and posting, all of it.

    python benchmarks/latency.py --intervals 1 5 --filings 20 --spread 120
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from edgarwatch.replay.clock import ReplayClock, eastern  # noqa: E402
from edgarwatch.replay.server import Replay, ReplayServer  # noqa: E402
from tests.loadgen import (  # noqa: E402
    TimedSlackReceiver,
    business_day_env,
    daemon_config,
    percentile,
)
from tests.process import Daemon, database_value, wait_until  # noqa: E402
from tests.support import company, eight_k  # noqa: E402

WATCHED = company(855654, "IMMUNOGEN INC", ticker="IMGN")
OTHERS = [company(2_000_000 + n, f"OTHER FILER {n}") for n in range(40)]


def measure(interval: int, filings: int, spread: float, seed: int, at: str) -> list[float]:
    """Seconds from the feed to Slack, one per filing, in publication order."""
    rng = random.Random(seed)
    replay = Replay(clock=ReplayClock(eastern(at)))
    for n, other in enumerate(OTHERS):  # the day so far
        replay.publish(eight_k(other, ["8.01"]), replay.now().replace(hour=9, minute=n))
    deals = [eight_k(WATCHED, {"1.01": f"Agreement number {n}."}) for n in range(filings)]
    with (
        ReplayServer(replay) as edgar,
        TimedSlackReceiver() as slack,
        tempfile.TemporaryDirectory() as tmp,
    ):
        database = Path(tmp) / "edgarwatch.db"
        config = daemon_config(
            Path(tmp) / "config.toml",
            edgar.url,
            database,
            interval=interval,
            watch=f"ciks = [{WATCHED.cik}]",
            rate=5,
            slack_url=slack.url,
        )
        env = business_day_env(replay.now())
        with Daemon(config, Path(tmp) / "daemon.log", env=env) as daemon:
            wait_until(
                lambda: database_value(
                    database, "SELECT value FROM state WHERE key = 'baseline_at'"
                ),
                timeout=60,
                why="the baseline poll",
            )
            time.sleep(10)  # the first sweep and full-text search are done
            moments = sorted(rng.uniform(0, spread) for _ in range(filings))
            published: dict[str, float] = {}
            started = time.monotonic()
            for moment, deal in zip(moments, deals, strict=True):
                time.sleep(max(0.0, started + moment - time.monotonic()))
                with replay.state.lock:  # on the feed from this instant
                    replay.publish(deal)
                    published[deal.accession] = time.time()
            wait_until(
                lambda: published.keys() <= slack.first_delivery().keys(),
                timeout=interval * 3 + 60,
                why="every filing in Slack",
            )
            daemon.terminate()
        delivered = slack.first_delivery()
    return [delivered[a] - published[a] for a in published]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intervals", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--filings", type=int, default=20)
    parser.add_argument("--spread", type=float, default=120.0, help="seconds to publish over")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--at", default="2026-03-10 10:00", help="the replay's start (ET)")
    args = parser.parse_args()
    for interval in args.intervals:
        latencies = measure(interval, args.filings, args.spread, args.seed, args.at)
        print(
            f"poll interval {interval} s, {len(latencies)} Item 1.01 filings at random moments: "
            f"on the feed → Slack p50 {percentile(latencies, 50):.2f} s, "
            f"p95 {percentile(latencies, 95):.2f} s, p99 {percentile(latencies, 99):.2f} s, "
            f"max {max(latencies):.2f} s",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
