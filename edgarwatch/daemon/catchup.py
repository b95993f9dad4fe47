"""The catch-up tier: make sure nothing was missed since the last successful catch-up.

Runs at start-up and every `poll.reconcile_minutes`. Its cost is bounded
whatever the watchlist's size:

1. page the 8-K feed back to where the last catch-up started (minus the
   look-back window) — a few requests;
2. where the gap is older than the feed reaches (long downtime), read the
   daily master index of each missed business day — one request a day,
   at most `MAX_INDEX_DAYS`; and once a day read yesterday's index as a
   nightly repair, which also catches a filing the feed showed too late;
3. only for a small watchlist (≤ `poll.submissions_watchlist_limit`
   companies, not `watch.all`), compare each company's submissions JSON —
   which carries the filer's items but can lag by hours.

Companies newly added to the watchlist are caught up from their submissions
JSON (the last `watch.catch_up_days` days) as history — except a filing
accepted after the company was added, which is news.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from edgarwatch.config import PollSettings, WatchSettings
from edgarwatch.daemon.discovery import FilingListener, Recorder
from edgarwatch.daemon.schedule import is_business_day
from edgarwatch.daemon.watchlist import Watchlist
from edgarwatch.edgar import sources
from edgarwatch.edgar.client import (
    EdgarBlocked,
    EdgarClient,
    EdgarError,
    EdgarHTTPError,
    Interrupted,
)
from edgarwatch.filing import EASTERN, Filing
from edgarwatch.metrics import NO_METRICS, Instruments
from edgarwatch.policy import NotifyPolicy, Rule
from edgarwatch.storage import Audit, Storage
from edgarwatch.storage.timefmt import utc_now

logger = logging.getLogger(__name__)

MAX_INDEX_DAYS = 31
SEEN_RETENTION = timedelta(days=7)
"""How long the fast tier remembers an accession it saw on the feed. The feed reaches
back about one business day (EDGAR.md); a week outlasts any long weekend, and an
accession shown again after that is still recorded once (filings are keyed by it)."""
INDEX_READY = time(22, 30)
"""Daily index files are built nightly from about 22:00 ET."""


@dataclass
class CatchUpResult:
    recorded: list[Filing] = field(default_factory=list)
    index_days: list[date] = field(default_factory=list)
    companies_checked: int = 0


def reconcile(
    storage: Storage,
    client: EdgarClient,
    watchlist: Watchlist,
    poll: PollSettings,
    *,
    stop: threading.Event | None = None,
    on_recorded: FilingListener | None = None,
    now: datetime | None = None,
    metrics: Instruments = NO_METRICS,
    rules: Sequence[Rule] = (),
    newcomers_read: bool = False,
) -> CatchUpResult:
    """One catch-up pass; raises EdgarBlocked/EdgarError when EDGAR cannot be read.
    `rules` order the read queue: what the submissions JSON says will notify, first.
    `newcomers_read`: a newly watched company's catch-up reads its submissions JSON
    (`watch.catch_up_days` > 0), so the comparison need not read it again that day."""
    started = now or utc_now()
    result = CatchUpResult()
    baseline = storage.state.feed_cursor().baseline_at
    if baseline is None:
        logger.info("catch-up: no baseline yet (the first poll sets it); nothing to reconcile")
        return result
    lookback = timedelta(minutes=poll.lookback_minutes)
    recorder = Recorder(storage, watchlist, lookback, on_recorded, rules, metrics=metrics)
    last = storage.state.last_catch_up() or baseline
    if storage.state.catch_up_due() or started - last > timedelta(hours=poll.sweep_hours):
        # Down longer than the sweep reaches, or the poll saw a gap: the feed back to
        # the last catch-up, and daily indexes for what it no longer holds.
        since = last - lookback
        scan = sources.latest_filings(client, since, poll.max_feed_pages)
        result.recorded += recorder.record(scan.filings, source="catch-up")
        storage.state.mark_seen(scan.filings, "catch-up")
        if not scan.reached and scan.oldest is not None:
            gap_days = _days_between(since.astimezone(EASTERN).date(), scan.oldest.date())
            read_daily_indexes(recorder, client, gap_days, result)
    nightly_repair(recorder, client, result, started)
    today = started.astimezone(EASTERN).date()
    small = not watchlist.everyone and 0 < len(watchlist) <= poll.submissions_watchlist_limit
    if small and (not poll.efts_seconds or storage.state.submissions_compared() != today):
        # A third view, lagging hours: hourly without full-text search, else daily. A
        # newly watched company's submissions are read by its own catch-up: not here,
        # before or after it this period (at a first start, 50 requests for nothing).
        period = (
            datetime.combine(today, time(0), EASTERN)
            if poll.efts_seconds
            else started - timedelta(minutes=poll.reconcile_minutes)
        )
        skip = set(storage.watched.not_caught_up()) if newcomers_read else set()
        if newcomers_read:
            skip |= storage.watched.caught_up_since(period)
        compare_submissions(recorder, client, last - lookback, result, stop, skip=skip)
        storage.state.mark_submissions_compared(today)
    storage.state.catch_up_done(started)
    storage.state.forget_seen_before(started - SEEN_RETENTION)
    return result


def _days_between(first: date, last: date) -> list[date]:
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    days = [d for d in days if is_business_day(d)]
    if len(days) > MAX_INDEX_DAYS:
        logger.warning(
            "the gap since the last catch-up spans %d business days; reading the last %d. "
            "Use `edgarwatch backfill --since %s` to record the rest.",
            len(days),
            MAX_INDEX_DAYS,
            first.isoformat(),
        )
        days = days[-MAX_INDEX_DAYS:]
    return days


def read_daily_indexes(
    recorder: Recorder, client: EdgarClient, days: list[date], result: CatchUpResult
) -> None:
    for day in days:
        if not _index_published(day, utc_now()):
            continue
        result.recorded += read_daily_index(recorder, client, day)
        result.index_days.append(day)


def read_daily_index(
    recorder: Recorder,
    client: EdgarClient,
    day: date,
    *,
    source: str = "daily-index",
    policy: NotifyPolicy | None = None,
) -> list[Filing]:
    """Record the matching 8-Ks of one day's master index (none when it is not built)."""
    try:
        filings = sources.daily_index(client, day)
    except EdgarHTTPError as exc:
        logger.warning("daily index for %s unavailable: %s", day, exc)
        return []
    if filings is None:
        return []
    recorded = recorder.record(filings, source=source, policy=policy)
    recorder.storage.state.mark_daily_index_read(day)
    return recorded


def nightly_repair(
    recorder: Recorder, client: EdgarClient, result: CatchUpResult, now: datetime | None = None
) -> None:
    """Audit the latest published daily index once: it lists every 8-K of the day, so
    it says how many the live sources missed (ideally none) and records those."""
    now = now or utc_now()
    state = recorder.storage.state
    today = now.astimezone(EASTERN).date()
    for day in (today - timedelta(days=n) for n in range(0, 4)):
        if not is_business_day(day) or not _index_published(day, now):
            continue
        if state.daily_index_read(day) or day in result.index_days:
            break
        baseline = state.feed_cursor().baseline_at
        if baseline is not None and day < baseline.astimezone(EASTERN).date():
            break
        audit_day(recorder, client, day, result)
        break


def audit_day(recorder: Recorder, client: EdgarClient, day: date, result: CatchUpResult) -> None:
    """Compare one day's master index with what the live sources showed; record the rest."""
    state = recorder.storage.state
    try:
        filings = sources.daily_index(client, day)
    except EdgarHTTPError as exc:
        logger.warning("daily index for %s unavailable: %s", day, exc)
        return
    if filings is None:
        return
    accessions = [f.accession for f in filings]
    found_by = state.seen_sources(accessions)
    missed = [f for f in filings if f.accession in state.unseen(accessions)]
    result.recorded += recorder.record(missed, source="daily-index")
    state.mark_seen(missed, "daily-index")
    state.mark_daily_index_read(day)
    result.index_days.append(day)
    audit = Audit(day, len(accessions), len(missed), found_by)
    state.save_audit(audit)
    log = logger.warning if audit.missed else logger.info
    log("%s", audit.describe())


def _index_published(day: date, now: datetime) -> bool:
    ready = datetime.combine(day, INDEX_READY, EASTERN)
    return now >= ready


def compare_submissions(
    recorder: Recorder,
    client: EdgarClient,
    since: datetime,
    result: CatchUpResult,
    stop: threading.Event | None = None,
    *,
    skip: set[int] | None = None,
) -> None:
    """Each watched company's submissions JSON (but those in `skip`), for 8-Ks filed
    since `since`."""
    first_day = since.astimezone(EASTERN).date() - timedelta(days=1)
    for cik in sorted(recorder.watchlist.ciks - (skip or set())):
        if stop is not None and stop.is_set():
            break
        filings = company_filings(client, cik, first_day)
        result.companies_checked += 1
        result.recorded += recorder.record(filings, source="submissions")


def company_filings(client: EdgarClient, cik: int, first_day: date) -> list[Filing]:
    """A company's filings dated `first_day` or later; one that cannot be read is skipped."""
    try:
        return sources.company_filings(client, cik, first_day)
    except (EdgarBlocked, Interrupted):
        raise
    except EdgarError as exc:
        logger.warning("submissions JSON of CIK %d unavailable: %s", cik, exc)
        return []


def catch_up_new_companies(
    storage: Storage,
    client: EdgarClient,
    watchlist: Watchlist,
    ciks: list[int],
    *,
    poll: PollSettings,
    watch: WatchSettings,
    on_recorded: FilingListener | None = None,
    now: datetime | None = None,
    metrics: Instruments = NO_METRICS,
    rules: Sequence[Rule] = (),
) -> list[Filing]:
    """Record a newly watched company's recent 8-Ks: history, except what it filed after
    it started being watched, which is news (`edgarwatch.policy.back_filled`)."""
    limit = max(poll.submissions_watchlist_limit, 1)
    if len(ciks) > limit:
        logger.warning(
            "%d companies were added to the watchlist at once: their history is not fetched "
            "(that would be %d requests); run `edgarwatch backfill --since DATE` to load it",
            len(ciks),
            len(ciks),
        )
        for cik in ciks:
            storage.watched.mark_caught_up(cik)
        return []
    recorder = Recorder(storage, watchlist, on_recorded=on_recorded, rules=rules, metrics=metrics)
    today = (now or utc_now()).astimezone(EASTERN).date()
    first_day = today - timedelta(days=watch.catch_up_days)
    recorded: list[Filing] = []
    for cik in ciks:
        if watch.catch_up_days > 0:
            filings = company_filings(client, cik, first_day)
            recorded += recorder.back_fill(filings, source="watch-add")
        storage.watched.mark_caught_up(cik)
    return recorded
