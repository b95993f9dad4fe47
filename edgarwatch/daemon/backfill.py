"""`edgarwatch backfill --since DATE`: record historical 8-Ks with their items and text.

Sources: each watched company's submissions JSON, following its
`filings.files` pages back to the date; for `watch.all`, the daily master
index of every business day since the date. Everything goes through the
shared client at the configured rate. It is idempotent (recording is) and
resumable (documents still to read are remembered in the database; a
re-run continues where the last one stopped). Nothing is notified unless
`--notify`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from edgarwatch.daemon.catchup import read_daily_index
from edgarwatch.daemon.discovery import Recorder
from edgarwatch.daemon.enrich import enrich_pending
from edgarwatch.daemon.runtime import Runtime
from edgarwatch.daemon.schedule import is_business_day
from edgarwatch.edgar import sources
from edgarwatch.filing import EASTERN, Filing
from edgarwatch.policy import NotifyPolicy
from edgarwatch.storage.timefmt import utc_now

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""(phase, done, total): the CLI draws a bar from it."""


@dataclass
class BackfillResult:
    recorded: list[Filing] = field(default_factory=list)
    enriched: int = 0
    failed: int = 0
    notifications: int = 0


def backfill(
    runtime: Runtime,
    since: date,
    *,
    ciks: Iterable[int] = (),
    notify: bool = False,
    progress: Progress | None = None,
) -> BackfillResult:
    report = progress or (lambda phase, done, total: None)
    result = BackfillResult()
    policy = NotifyPolicy.NEWS if notify else NotifyPolicy.HISTORY
    client, watchlist = runtime.client, runtime.watchlist
    recorder = Recorder(runtime.storage, watchlist, on_recorded=runtime.on_recorded)
    wanted = sorted(set(ciks)) or sorted(watchlist.ciks)
    if ciks or not watchlist.everyone:
        for done, cik in enumerate(wanted, 1):
            filings = sources.company_filings(client, cik, since)
            result.recorded += recorder.record(filings, source="backfill", policy=policy)
            report("companies", done, len(wanted))
    else:
        days = _business_days(since, utc_now().astimezone(EASTERN).date() - timedelta(days=1))
        for done, day in enumerate(days, 1):
            recorded = read_daily_index(recorder, client, day, source="backfill", policy=policy)
            result.recorded += recorded
            report("days", done, len(days))
    _enrich_all(runtime, result, report)
    return result


def _business_days(first: date, last: date) -> list[date]:
    return [
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if is_business_day(first + timedelta(days=n))
    ]


def _enrich_all(runtime: Runtime, result: BackfillResult, report: Progress) -> None:
    storage = runtime.storage
    total = storage.filings.pending_enrichment_count()
    done = 0
    report("documents", 0, total)
    while not runtime.stop.is_set():
        step = enrich_pending(
            storage,
            runtime.client,
            runtime.settings.notify,
            list(runtime.notifiers),
            watchlist=runtime.watchlist,
            stop=runtime.stop,
            budget_seconds=30.0,
        )
        result.enriched += step.enriched
        result.failed += step.failed
        result.notifications += step.notifications
        done += step.enriched
        report("documents", min(done, total), total)
        remaining = storage.filings.pending_enrichment_count()
        if step.enriched == 0 or remaining == 0:
            break
