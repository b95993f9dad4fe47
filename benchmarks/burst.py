"""A burst of 500 8-Ks between two polls, through the real daemon: how soon each
Item 1.01 reaches Slack, how long the reading takes, and what it costs EDGAR.

Each trial starts the EDGAR replay (on a business day's clock, 10:00 ET by
default, so the sweep and full-text search run as in filing hours; full-text
search 35 s behind the feed, as EDGAR's is), a loopback Slack webhook that
takes 1 message/s as Slack does and timestamps what arrives, and
`edgarwatch run` (a subprocess, its wall clock on the same business day) with
a fresh database. The feed already holds 150 of the day's 8-Ks (the baseline,
read at start-up). Then 500 8-Ks from 500 companies reach the feed at one
moment, 12% of them declaring Item 1.01 (spread through the feed's order),
the rest other items. The moment is drawn at a stratified random phase of the
poll interval (trial i of n: in [i/n, (i+1)/n) of the interval after the last
poll), so detection waits on average half an interval, as it would for
EDGAR's filings — never timed just before a poll.

Scenario A: `watch.all`, `poll.interval_seconds = 30`. Scenario B: 100
watched companies (the 1.01s among them), 1 s poll. Both with the shipped
defaults otherwise (`requests_per_second = 5`, 3 readers, Slack paced at
1 message/s, coalescing above 10).

Per Item 1.01 filing: Slack's arrival time (receiver's clock) minus the
moment the burst became visible on the feed; a summary counts for every
filing it names. Also: detection (the first poll after that moment), the
drain (the burst's last document read), the most requests the replay saw in
any 1 s window (vs the configured limit), document fetches per path (a
duplicate: a path fetched twice, at start-up or in the burst, by any tier),
and the longest gap between two polls while the burst was read.

    python benchmarks/burst.py --scenario A --trials 10
    python benchmarks/burst.py --scenario B --trials 10
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from edgarwatch.replay.clock import ReplayClock, eastern  # noqa: E402
from edgarwatch.replay.server import Replay, ReplayServer  # noqa: E402
from tests.loadgen import (  # noqa: E402
    TimedSlackReceiver,
    accession_of,
    burst,
    business_day_env,
    companies,
    daemon_config,
    document_fetches,
    duplicates,
    max_gap,
    max_per_window,
    percentile,
    poll_times,
    publish_at_once,
)
from tests.process import Daemon, database_value, wait_until  # noqa: E402
from tests.support import eight_k  # noqa: E402

EFTS_LAG_SECONDS = 35.0
"""EDGAR.md: full-text search runs ~30–45 s behind the feed."""


@dataclass(frozen=True)
class Scenario:
    name: str
    interval: int
    watched: int | None
    """None: watch.all."""

    def describe(self) -> str:
        who = "watch.all" if self.watched is None else f"{self.watched} watched companies"
        return f"scenario {self.name}: {who}, poll every {self.interval} s"


SCENARIOS = {"A": Scenario("A", 30, None), "B": Scenario("B", 1, 100)}


@dataclass
class Trial:
    phase: float
    """Seconds after a poll at which the burst became visible."""
    latencies: dict[str, float] = field(default_factory=dict)
    """Item 1.01 accession → seconds from visible to Slack."""
    detection: float = 0.0
    drain: float = 0.0
    documents: int = 0
    max_rate: int = 0
    max_rate_burst: int = 0
    sustained_rate: float = 0.0
    """The most requests in any 5 s window, per second."""
    start_duplicates: dict[str, int] = field(default_factory=dict)
    start_fetches: int = 0
    burst_duplicates: dict[str, int] = field(default_factory=dict)
    max_fetches_per_filing: int = 0
    poll_gap: float = 0.0
    poll_gap_reading: float = 0.0
    """The same, from the end of the poll that paged the burst to the drain."""
    messages: int = 0
    throttled: int = 0
    missing: int = 0


def run_trial(
    scenario: Scenario,
    *,
    phase_fraction: float,
    seed: int,
    rate: float,
    at: datetime,
    size: int,
    deal_share: float,
    prefill: int,
    workdir: Path,
) -> Trial:
    rng = random.Random(seed)
    filers = companies(size)
    watched = filers if scenario.watched is None else filers[: scenario.watched]
    deals = round(size * deal_share)
    load = burst(filers, deals=deals, seed=seed, deal_filers=watched)
    earlier = [eight_k(c, ["8.01"]) for c in rng.sample(filers, prefill)]
    replay = Replay(clock=ReplayClock(at), efts_lag_seconds=EFTS_LAG_SECONDS)
    for n, filing in enumerate(earlier):  # the day so far: the baseline
        replay.publish(filing, at - timedelta(minutes=3 * (prefill - n)))
    watch = (
        "all = true"
        if scenario.watched is None
        else f"ciks = [{', '.join(str(c.cik) for c in watched)}]"
    )
    with ReplayServer(replay) as edgar, TimedSlackReceiver() as slack:
        database = workdir / "edgarwatch.db"
        config = daemon_config(
            workdir / "config.toml",
            edgar.url,
            database,
            interval=scenario.interval,
            watch=watch,
            rate=rate,
            slack_url=slack.url,
        )
        started = time.time()
        with Daemon(config, workdir / "daemon.log", env=business_day_env(replay.now())) as daemon:
            settle_start_up(
                replay, database, prefill_watched=sum(1 for f in earlier if f.filer in watched)
            )
            last_poll = poll_times(replay.requests())[-1]
            moment = last_poll + phase_fraction * scenario.interval
            while moment < time.time() + 0.5:
                moment += scenario.interval
            time.sleep(moment - time.time())
            _, wall = publish_at_once(replay, load.filings)
            expected_reads = {f.accession for f in load.filings if f.filer in watched}
            wait_until(
                lambda: burst_settled(replay, slack, load.deals, expected_reads, database, wall),
                timeout=900,
                every=0.5,
                why="every Item 1.01 notified, the burst read, a sweep and a search after it",
            )
            daemon.terminate()
        ended = time.time()
    return measure(replay, slack, load.deals, wall, started, ended, scenario)


def settle_start_up(replay: Replay, database: Path, *, prefill_watched: int) -> None:
    """Wait for the baseline, its reading, and the first sweep and full-text search (an
    idle one writes nothing: they are seen in the replay's request log)."""
    wait_until(
        lambda: database_value(database, "SELECT value FROM state WHERE key = 'baseline_at'"),
        timeout=60,
        why="the baseline poll",
    )
    wait_until(
        lambda: database_value(
            database,
            "SELECT count(*) = ? FROM filings WHERE enrich_status != 'pending'",
            (prefill_watched,),
        ),
        timeout=300,
        every=0.5,
        why="the baseline read",
    )
    wait_until(  # the baseline read the feed and full-text search once each
        lambda: (
            len(replay.requests("start=0&count=100")) >= 2
            and len(replay.requests("search-index")) >= 2
        ),
        timeout=60,
        every=0.5,
        why="the first sweep and full-text search",
    )


def burst_settled(
    replay: Replay,
    slack: TimedSlackReceiver,
    deals: frozenset[str],
    reads: set[str],
    database: Path,
    wall: float,
) -> bool:
    """Every Item 1.01 delivered, every watched filing read, and a sweep and a full-text
    search since the burst (a sweep: the feed from the top once the poll's paging is
    over; a search: once EDGAR's index holds the burst)."""
    if not deals <= slack.first_delivery().keys():
        return False
    requests = replay.requests()
    read = {accession_of(path) for path in document_fetches(requests)}
    if not reads <= read:
        return False
    polls = [p for p in poll_times(requests) if p > wall]
    if not polls:
        return False
    swept = any(r.at > polls[0] + 5 and "start=0&count=100" in r.path for r in requests)
    searched = any(r.at > wall + EFTS_LAG_SECONDS and "search-index" in r.path for r in requests)
    pending = database_value(
        database, "SELECT count(*) FROM filings WHERE enrich_status = 'pending'"
    )
    return swept and searched and pending == 0


def measure(
    replay: Replay,
    slack: TimedSlackReceiver,
    deals: frozenset[str],
    wall: float,
    started: float,
    ended: float,
    scenario: Scenario,
) -> Trial:
    requests = replay.requests()
    delivered = slack.first_delivery()
    polls = poll_times(requests)
    trial = Trial(phase=(wall - max(p for p in polls if p <= wall)))
    trial.latencies = {a: delivered[a] - wall for a in deals if a in delivered}
    trial.missing = len(deals) - len(trial.latencies)
    trial.detection = min(p for p in polls if p > wall) - wall
    burst_reads = document_fetches(requests, since=wall)
    trial.drain = max(r.at for r in requests if r.at >= wall and r.path in burst_reads) - wall
    trial.documents = sum(burst_reads.values())
    trial.burst_duplicates = duplicates(burst_reads)
    per_filing: dict[str | None, int] = {}
    for path, count in burst_reads.items():
        per_filing[accession_of(path)] = per_filing.get(accession_of(path), 0) + count
    trial.max_fetches_per_filing = max(per_filing.values(), default=0)
    start_reads = document_fetches(requests, since=started, until=wall)
    trial.start_fetches = sum(start_reads.values())
    trial.start_duplicates = duplicates(start_reads)
    moments = [r.at for r in requests]
    trial.max_rate = max_per_window(moments)
    trial.max_rate_burst = max_per_window([m for m in moments if wall <= m <= wall + trial.drain])
    trial.sustained_rate = max_per_window(moments, 5.0) / 5.0
    trial.poll_gap = max_gap(polls, wall + trial.detection, wall + trial.drain)
    after = [p for p in polls if p > wall + trial.detection]
    if after:
        trial.poll_gap_reading = max_gap(polls, after[0], wall + trial.drain)
    trial.messages = sum(1 for m in slack.messages if 200 <= m.status < 300)
    trial.throttled = slack.throttled
    del scenario, started, ended
    return trial


def report(scenario: Scenario, trials: list[Trial], rate: float) -> None:
    print(f"\n{scenario.describe()}, requests_per_second = {rate:g}: {len(trials)} trial(s)")
    print(
        "  phase  detect  1.01 p50   p95   max | drain  docs dup/start dup/burst "
        "req/1s (5s) poll-gap (then) msgs 429"
    )
    for t in trials:
        values = list(t.latencies.values())
        print(
            f"  {t.phase:5.1f}s {t.detection:5.1f}s  {percentile(values, 50):6.1f}s "
            f"{percentile(values, 95):5.1f}s {max(values, default=0):5.1f}s | "
            f"{t.drain:5.1f}s {t.documents:4d} {len(t.start_duplicates):4d}/{t.start_fetches:<4d}"
            f" {len(t.burst_duplicates):4d}      {t.max_rate:3d} ({t.sustained_rate:.1f})  "
            f"{t.poll_gap:5.1f}s ({t.poll_gap_reading:.1f}s) {t.messages:4d} {t.throttled:3d}"
            + (f"  MISSING {t.missing}" if t.missing else "")
        )
    pooled = [v for t in trials for v in t.latencies.values()]
    after = [v - t.detection for t in trials for v in t.latencies.values()]
    print(
        f"  Item 1.01 visible → Slack, {len(pooled)} filings over {len(trials)} phases: "
        f"p50 {percentile(pooled, 50):.1f} s, p95 {percentile(pooled, 95):.1f} s, "
        f"p99 {percentile(pooled, 99):.1f} s, max {max(pooled, default=0):.1f} s"
    )
    print(
        f"  of which after the poll that saw the burst: p50 {percentile(after, 50):.1f} s, "
        f"p95 {percentile(after, 95):.1f} s, p99 {percentile(after, 99):.1f} s, "
        f"max {max(after, default=0):.1f} s"
    )
    print(
        f"  drain (last document of the burst read): max {max(t.drain for t in trials):.1f} s; "
        f"requests in any 1 s window: max {max(t.max_rate for t in trials)}, in any 5 s "
        f"window: max {max(t.sustained_rate for t in trials):.1f}/s "
        f"(limit {rate:g}/s); duplicate document fetches: "
        f"{sum(len(t.start_duplicates) for t in trials)} at start-up "
        f"({sum(t.start_fetches for t in trials)} fetches), "
        f"{sum(len(t.burst_duplicates) for t in trials)} in the burst "
        f"({sum(t.documents for t in trials)} fetches); "
        f"longest gap between polls while reading: {max(t.poll_gap for t in trials):.1f} s "
        f"({max(t.poll_gap_reading for t in trials):.1f} s after the poll that paged the burst)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=[*SCENARIOS, "both"], default="both")
    parser.add_argument("--trials", type=int, default=5, help="stratified phases per scenario")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--rate", type=float, default=5.0, help="edgar.requests_per_second")
    parser.add_argument("--size", type=int, default=500, help="8-Ks in the burst")
    parser.add_argument("--deal-share", type=float, default=0.12, help="share declaring 1.01")
    parser.add_argument("--prefill", type=int, default=150, help="8-Ks on the feed at start")
    parser.add_argument(
        "--at", default="2026-03-10 10:00", help="the business-day moment (ET) trials start at"
    )
    args = parser.parse_args()
    names = list(SCENARIOS) if args.scenario == "both" else [args.scenario]
    rng = random.Random(args.seed)
    for name in names:
        scenario = SCENARIOS[name]
        trials = []
        for n in range(args.trials):
            fraction = (n + rng.random()) / args.trials
            with tempfile.TemporaryDirectory() as tmp:
                trials.append(
                    run_trial(
                        scenario,
                        phase_fraction=fraction,
                        seed=args.seed * 1000 + n,
                        rate=args.rate,
                        at=eastern(args.at),
                        size=args.size,
                        deal_share=args.deal_share,
                        prefill=args.prefill,
                        workdir=Path(tmp),
                    )
                )
            print(f"  trial {n + 1}/{args.trials} done", file=sys.stderr, flush=True)
        report(scenario, trials, args.rate)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
