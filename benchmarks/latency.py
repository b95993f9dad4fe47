"""Detection latency: EDGAR acceptance → Slack message, through the real daemon.

Starts the EDGAR replay and a loopback Slack receiver, runs `edgarwatch run`
with the given poll interval, publishes Item 1.01 filings of a watched
company at random moments, and reports what `edgarwatch status` measures:
acceptance time to notification sent, p50 and p95.

    python benchmarks/latency.py --interval 30 --filings 8 --spread 240
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from edgarwatch.replay.server import Replay, ReplayServer  # noqa: E402
from tests.process import Daemon, database_value, edgarwatch, wait_until  # noqa: E402
from tests.servers.slack_receiver import SlackReceiver  # noqa: E402
from tests.support import company, eight_k, write_config  # noqa: E402

WATCHED = company(855654, "IMMUNOGEN INC", ticker="IMGN")


def measure(interval: int, filings: int, spread: float, seed: int = 7) -> dict[str, object]:
    rng = random.Random(seed)
    replay = Replay()
    deals = [eight_k(WATCHED, {"1.01": f"Agreement number {n}."}) for n in range(filings)]
    for deal in deals:
        replay.add(deal)
    with (
        ReplayServer(replay) as edgar,
        SlackReceiver() as slack,
        tempfile.TemporaryDirectory() as tmp,
    ):
        database = Path(tmp) / "edgarwatch.db"
        config = write_config(
            Path(tmp) / "config.toml",
            edgar.url,
            database,
            extra=f'[slack]\nwebhook_url = "{slack.url}"\n[notify]\ndispatch_seconds = 5\n',
            watch="ciks = [855654]",
        )
        text = config.read_text().replace("interval_seconds = 1", f"interval_seconds = {interval}")
        config.write_text(
            text.replace(
                "off_hours_interval_seconds = 1", f"off_hours_interval_seconds = {interval}"
            )
        )
        with Daemon(config, Path(tmp) / "daemon.log") as daemon:
            wait_until(
                lambda: database_value(
                    database, "SELECT value FROM state WHERE key = 'baseline_at'"
                ),
                timeout=60,
                why="the baseline poll",
            )
            moments = sorted(rng.uniform(0, spread) for _ in range(filings))
            started = time.monotonic()
            for moment, deal in zip(moments, deals, strict=True):
                time.sleep(max(0.0, started + moment - time.monotonic()))
                replay.publish(deal.accession)
            slack.wait_for(filings, timeout=interval * 3 + 60)
            daemon.terminate()
        status = json.loads(edgarwatch("--config", str(config), "status", "--json").stdout)
    return {
        "interval": interval,
        "filings": filings,
        "latency_seconds": status["latency_seconds"]["24h"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=int, default=30, help="poll.interval_seconds")
    parser.add_argument("--filings", type=int, default=8)
    parser.add_argument(
        "--spread", type=float, default=240.0, help="seconds over which they are published"
    )
    args = parser.parse_args()
    result = measure(args.interval, args.filings, args.spread)
    figures = result["latency_seconds"]
    assert isinstance(figures, dict)
    print(
        f"poll interval {args.interval} s, {figures['count']} Item 1.01 filings published at random moments: "
        f"acceptance → Slack p50 {figures['p50']} s, p95 {figures['p95']} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
