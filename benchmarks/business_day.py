"""A whole EDGAR business day, replayed: does the daemon find every 8-K, and how fast?

The replay plays a day as EDGAR does (EDGAR.md): ≈300 8-Ks accepted through
the day, heaviest 16:00–18:00 ET, each posted on the feed 20–60 s after its
acceptance; ≈30 accepted the previous evening after 17:30, held and posted
the next morning between 06:00 and 07:30 at their evening acceptance time,
below that morning's entries; a feed that drops 5% of filings (only
full-text search, ~40 s behind, and the daily index list them).

The daemon's cycles run on the replay's clock with their default cadences
(poll every 5 s in filing hours, sweep every 120 s and every 10 s in the
morning release, full-text search every 60 s, catch-up hourly with the
nightly audit), watching the whole market, notifying Item 1.01; reading and
dispatch run after each cycle (the daemon runs them as loops of their own).
Time jumps from one scheduled run to the next, so a day replays in minutes.

    python benchmarks/business_day.py [--filings 300] [--after-hours 30] [--drop 0.05]

Prints recorded / notified / found by source / detection lag from the first
public moment (p50, p95, max) by kind of filing, and EDGAR requests by kind.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from edgarwatch.daemon.cycles import Cycles  # noqa: E402
from edgarwatch.daemon.runtime import build_runtime  # noqa: E402
from edgarwatch.daemon.schedule import cadence  # noqa: E402
from edgarwatch.edgar.ratelimit import RateLimiter  # noqa: E402
from edgarwatch.filing import Filing  # noqa: E402
from edgarwatch.notifiers.console import ConsoleNotifier, ConsoleSettings  # noqa: E402
from edgarwatch.replay.catalog import ReplayFiling  # noqa: E402
from edgarwatch.replay.clock import ReplayClock, eastern  # noqa: E402
from edgarwatch.replay.server import Replay, ReplayServer  # noqa: E402
from edgarwatch.storage import Storage  # noqa: E402
from tests.support import company, eight_k, settings_for  # noqa: E402

DAY = "2026-03-10"  # a Tuesday
EVE = "2026-03-09"
ITEMS = [("8.01",), ("2.02", "9.01"), ("5.02",), ("7.01", "9.01"), ("1.01", "9.01"), ("5.07",)]
WEIGHTS = [30, 20, 15, 15, 12, 8]


@dataclass
class Plan:
    filings: list[ReplayFiling] = field(default_factory=list)
    accepted: dict[str, datetime] = field(default_factory=dict)
    visible: dict[str, datetime] = field(default_factory=dict)
    kind: dict[str, str] = field(default_factory=dict)


def plan_day(rng: random.Random, in_hours: int, after_hours: int) -> Plan:
    """Acceptance times: a day's 8-Ks, heavier after the 16:00 close; an evening's held ones."""
    plan = Plan()
    companies = [company(7_000_000 + n, f"COMPANY {n} INC") for n in range(in_hours + after_hours)]
    day_start, day_end = eastern(f"{DAY} 06:05"), eastern(f"{DAY} 17:29")
    moments = []
    for _ in range(in_hours):
        if rng.random() < 0.4:  # the after-the-close peak
            moments.append(eastern(f"{DAY} 16:00") + timedelta(seconds=rng.uniform(0, 5340)))
        else:
            span = (day_end - day_start).total_seconds()
            moments.append(day_start + timedelta(seconds=rng.uniform(0, span)))
    evening = [
        eastern(f"{EVE} 17:31") + timedelta(seconds=rng.uniform(0, 4 * 3600))
        for _ in range(after_hours)
    ]
    for n, accepted in enumerate(sorted(moments) + sorted(evening)):
        items = rng.choices(ITEMS, WEIGHTS)[0]
        filing = eight_k(companies[n], list(items))
        plan.filings.append(filing)
        plan.accepted[filing.accession] = accepted
        plan.kind[filing.accession] = "after-hours" if accepted.day == 9 else "in hours"
    return plan


def publish(replay: Replay, plan: Plan, rng: random.Random) -> None:
    for filing in plan.filings:
        accepted = plan.accepted[filing.accession]
        if plan.kind[filing.accession] == "after-hours":
            stamped = replay.publish(filing, accepted)  # held to the morning release
        else:  # disseminated 20–60 s after acceptance (EDGAR.md)
            stamped = replay.publish(
                filing, accepted, visible_at=accepted + timedelta(seconds=rng.uniform(20, 60))
            )
        assert stamped.visible_at is not None
        plan.visible[filing.accession] = stamped.visible_at
        if filing.accession in replay.feed_drops:
            plan.kind[filing.accession] += ", not on the feed"


@dataclass
class Job:
    name: str
    run: Callable[[], object]
    period: Callable[[datetime], float | None]
    due: datetime


def run_day(
    plan: Plan, replay: Replay, clock: ReplayClock, url: str, tmp: Path
) -> dict[str, object]:
    database = tmp / "edgarwatch.db"
    settings = settings_for(
        url,
        database,
        watch={"all": True, "catch_up_days": 0},
        poll={"interval_seconds": 5, "off_hours_interval_seconds": 300},
        edgar={"requests_per_second": 10, "max_retries": 2},
    )
    first_seen: dict[str, datetime] = {}

    def seen(filing: Filing, notify: bool) -> None:
        first_seen.setdefault(filing.accession, clock.now())

    runtime = build_runtime(
        settings,
        storage=Storage.open(database),
        notifiers={"console": ConsoleNotifier(ConsoleSettings(stream=io.StringIO()))},
        on_recorded=seen,
        clock=clock.now,
    )
    # Simulated time jumps; the real-time rate limiter would stretch a day of requests
    # over half an hour of waiting. The replay is local, and the day's requests are
    # counted below: what they cost EDGAR per simulated second is printed, not waited.
    runtime.client.limiter = RateLimiter(10_000, ceiling=None)
    cycles = Cycles(runtime)
    poll = settings.poll
    start = clock.now()
    jobs = [
        Job(
            "poll",
            cycles.poll,
            cadence(poll.interval_seconds, None, poll.off_hours_interval_seconds),
            start,
        ),
        Job("sweep", cycles.sweep, cadence(poll.sweep_seconds, poll.morning_sweep_seconds), start),
        Job("efts", cycles.search, cadence(poll.efts_seconds), start),
        Job("reconcile", cycles.reconcile, lambda _: poll.reconcile_minutes * 60.0, start),
    ]
    end = eastern(f"{DAY} 22:45")
    while True:
        job = min(jobs, key=lambda j: j.due)
        if job.due > end:
            break
        clock.set(job.due)
        job.run()
        cycles.read()
        cycles.dispatch()
        period = job.period(job.due)
        job.due = job.due + timedelta(seconds=period) if period else _next_opening(job.due)
    clock.set(end)
    cycles.reconcile()  # the nightly audit of the day's master index
    cycles.read()
    cycles.dispatch()
    storage = runtime.storage
    found_by = dict(
        Counter(
            str(r["source"])
            for r in storage.connections.query("SELECT source FROM filings WHERE notify = 'news'")
        )
    )
    notified = storage.connections.query(
        "SELECT accession, count(*) AS n FROM notifications GROUP BY accession"
    )
    audit = storage.state.last_audit()
    runtime.close()
    cycles.close()
    return {"first_seen": first_seen, "found_by": found_by, "notified": notified, "audit": audit}


def _next_opening(moment: datetime) -> datetime:
    from edgarwatch.daemon.schedule import next_opening

    return next_opening(moment)


def percentiles(values: list[float]) -> str:
    if not values:
        return "-"
    if len(values) == 1:
        return f"p50 {values[0]:.1f} s"
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return f"p50 {cuts[49]:.1f} s, p95 {cuts[94]:.1f} s, max {max(values):.1f} s"


def requests_by_kind(replay: Replay) -> Counter[str]:
    kinds: Counter[str] = Counter()
    for r in replay.requests():
        if "getcurrent" in r.path:
            kinds[
                "feed, count=10 (poll)"
                if "count=10&" in r.path
                else "feed, count=100 (sweep, paging)"
            ] += 1
        elif "search-index" in r.path:
            kinds["full-text search"] += 1
        elif "daily-index" in r.path:
            kinds["daily index"] += 1
        elif "/submissions/" in r.path:
            kinds["submissions JSON"] += 1
        elif "/Archives/" in r.path:
            kinds["filing documents"] += 1
        else:
            kinds[r.path.split("?")[0]] += 1
    return kinds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filings", type=int, default=270, help="8-Ks accepted in filing hours")
    parser.add_argument("--after-hours", type=int, default=30)
    parser.add_argument("--drop", type=float, default=0.05, help="share the feed never shows")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    plan = plan_day(rng, args.filings, args.after_hours)
    clock = ReplayClock(f"{DAY} 05:50", speed=0)  # the baseline, before the release
    replay = Replay(
        clock=clock,
        feed_drops=args.drop,
        drop_seed=args.seed,
        release_spread_seconds=5400,
        efts_lag_seconds=40,
        daily_index_at=clock_time(22, 0),
        rate_limit=1000,
    )
    started = time.monotonic()
    with ReplayServer(replay) as server, tempfile.TemporaryDirectory() as tmp:
        publish(replay, plan, rng)
        result = run_day(plan, replay, clock, server.url, Path(tmp))
    wall = time.monotonic() - started
    first_seen = result["first_seen"]
    assert isinstance(first_seen, dict)
    report(plan, first_seen, result, requests_by_kind(replay), wall)
    return 0


def report(
    plan: Plan,
    first_seen: dict[str, datetime],
    result: dict[str, object],
    requests: Counter[str],
    wall: float,
) -> None:
    total = len(plan.filings)
    recorded = [a for a in plan.accepted if a in first_seen]
    notified = result["notified"]
    assert isinstance(notified, list)
    dupes = [row for row in notified if row["n"] > 1]
    wanted = {f.accession for f in plan.filings if "1.01" in f.items}
    print(f"business day {DAY} replayed in {wall:.0f} s wall time")
    print(
        f"8-Ks published: {total} ({sum('after-hours' in k for k in plan.kind.values())} after hours, "
        f"{sum('not on the feed' in k for k in plan.kind.values())} never on the feed)"
    )
    print(
        f"recorded: {len(recorded)}/{total}   notified (Item 1.01): {len(notified)}/{len(wanted)}, "
        f"duplicates {len(dupes)}"
    )
    print(f"found first by: {result['found_by']}")
    by_kind: dict[str, list[float]] = {}
    for accession, seen in first_seen.items():
        if accession not in plan.visible:
            continue
        lag = (seen - plan.visible[accession]).total_seconds()
        by_kind.setdefault(plan.kind[accession], []).append(max(0.0, lag))
        by_kind.setdefault("all", []).append(max(0.0, lag))
    for kind in sorted(by_kind):
        values = sorted(by_kind[kind])
        print(f"lag from first public moment, {kind} (n={len(values)}): {percentiles(values)}")
    print(f"audit: {result['audit'].describe() if result['audit'] else '-'}")  # type: ignore[attr-defined]
    print(
        "EDGAR requests over the replayed day: "
        + ", ".join(f"{k} {v}" for k, v in requests.most_common())
        + f"; total {sum(requests.values())}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
