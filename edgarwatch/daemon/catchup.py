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
JSON (the last `watch.catch_up_days` days) without notifying.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from edgarwatch.daemon.context import Context
from edgarwatch.daemon.discovery import record_matches
from edgarwatch.daemon.schedule import is_business_day
from edgarwatch.edgar import sources
from edgarwatch.edgar.client import EdgarBlocked, EdgarError, EdgarHTTPError, Interrupted
from edgarwatch.filing import EASTERN, Filing

logger = logging.getLogger(__name__)

MAX_INDEX_DAYS = 31
INDEX_READY = time(22, 30)
"""Daily index files are built nightly from about 22:00 ET."""


@dataclass
class CatchUpResult:
    recorded: list[Filing] = field(default_factory=list)
    index_days: list[date] = field(default_factory=list)
    companies_checked: int = 0


def reconcile(context: Context) -> CatchUpResult:
    """One catch-up pass; raises EdgarBlocked/EdgarError when EDGAR cannot be read."""
    state = context.storage.state
    started = context.now()
    result = CatchUpResult()
    baseline = state.get_time("baseline_at")
    if baseline is None:
        logger.info("catch-up: no baseline yet (the first poll sets it); nothing to reconcile")
        return result
    since = (state.get_time("last_reconcile_ok_at") or baseline) - context.lookback
    scan = sources.latest_filings(context.client, since, context.settings.poll.max_feed_pages)
    result.recorded += record_matches(context, scan.filings, source="catch-up")
    if not scan.reached and scan.oldest is not None:
        gap_days = _days_between(since.astimezone(EASTERN).date(), scan.oldest.date())
        result.recorded += read_daily_indexes(context, gap_days, result)
    result.recorded += nightly_repair(context, result)
    if _small_watchlist(context):
        result.recorded += compare_submissions(context, since, result)
    state.set_time("last_reconcile_ok_at", started)
    state.put("catch_up_due", None)
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


def read_daily_indexes(context: Context, days: list[date], result: CatchUpResult) -> list[Filing]:
    recorded: list[Filing] = []
    for day in days:
        if not _index_published(day, context.now()):
            continue
        recorded += read_daily_index(context, day)
        result.index_days.append(day)
    return recorded


def read_daily_index(
    context: Context, day: date, *, source: str = "daily-index", notify: bool | None = None
) -> list[Filing]:
    """Record the matching 8-Ks of one day's master index; 404 = not built (or a holiday)."""
    try:
        filings = sources.daily_index(context.client, day)
    except EdgarHTTPError as exc:
        logger.warning("daily index for %s unavailable: %s", day, exc)
        return []
    if filings is None:
        return []
    recorded = record_matches(context, filings, source=source, notify=notify)
    context.storage.state.put(f"daily_index_done:{day:%Y%m%d}", "1")
    return recorded


def nightly_repair(context: Context, result: CatchUpResult) -> list[Filing]:
    """Read the latest published daily index once: it lists what the feed may have missed."""
    today = context.now().astimezone(EASTERN).date()
    candidates = [today - timedelta(days=n) for n in range(0, 4)]
    recorded: list[Filing] = []
    for day in candidates:
        if not is_business_day(day) or not _index_published(day, context.now()):
            continue
        if context.storage.state.get(f"daily_index_done:{day:%Y%m%d}") or day in result.index_days:
            break
        baseline = context.storage.state.get_time("baseline_at")
        if baseline is not None and day < baseline.astimezone(EASTERN).date():
            break
        recorded += read_daily_index(context, day)
        result.index_days.append(day)
        break
    return recorded


def _index_published(day: date, now: datetime) -> bool:
    ready = datetime.combine(day, INDEX_READY, EASTERN)
    return now >= ready


def _small_watchlist(context: Context) -> bool:
    watchlist = context.watchlist
    limit = context.settings.poll.submissions_watchlist_limit
    return not watchlist.everyone and 0 < len(watchlist) <= limit


def compare_submissions(context: Context, since: datetime, result: CatchUpResult) -> list[Filing]:
    """Each watched company's submissions JSON, for 8-Ks filed since `since`."""
    recorded: list[Filing] = []
    first_day = since.astimezone(EASTERN).date() - timedelta(days=1)
    for cik in sorted(context.watchlist.ciks):
        if context.stop.is_set():
            break
        filings = company_filings(context, cik, first_day)
        result.companies_checked += 1
        recorded += record_matches(context, filings, source="submissions")
    return recorded


def company_filings(context: Context, cik: int, first_day: date) -> list[Filing]:
    """A company's filings dated `first_day` or later; one that cannot be read is skipped."""
    try:
        return sources.company_filings(context.client, cik, first_day)
    except (EdgarBlocked, Interrupted):
        raise
    except EdgarError as exc:
        logger.warning("submissions JSON of CIK %d unavailable: %s", cik, exc)
        return []


def catch_up_new_companies(context: Context, ciks: list[int]) -> list[Filing]:
    """Record a newly watched company's recent 8-Ks as history (never notified)."""
    days = context.settings.watch.catch_up_days
    limit = max(context.settings.poll.submissions_watchlist_limit, 1)
    if len(ciks) > limit:
        logger.warning(
            "%d companies were added to the watchlist at once: their history is not fetched "
            "(that would be %d requests); run `edgarwatch backfill --since DATE` to load it",
            len(ciks),
            len(ciks),
        )
        for cik in ciks:
            context.storage.state.mark_caught_up(cik)
        return []
    first_day = context.now().astimezone(EASTERN).date() - timedelta(days=days)
    recorded: list[Filing] = []
    for cik in ciks:
        if days > 0:
            filings = company_filings(context, cik, first_day)
            recorded += record_matches(context, filings, source="watch-add", notify=False)
        context.storage.state.mark_caught_up(cik)
    return recorded
