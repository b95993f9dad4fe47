"""Reading each new filing's documents, then deciding who to notify.

For every recorded filing still `pending`, fetch what is needed (the
complete submission when it is small, else the index page and the primary
document), parse items, texts and exhibits, and — in the same transaction —
create the outbox rows the rules call for. A fetch or parse failure leaves
the filing recorded and retried on the next cycle, never blocking the
others; once `notify.enrich_give_up_minutes` have passed, a filing that must
notify is notified with what EDGAR declared (items and titles, no text)
rather than not at all.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from edgarwatch.backoff import full_jitter
from edgarwatch.daemon.context import Context
from edgarwatch.edgar.client import EdgarBlocked, EdgarError, Interrupted
from edgarwatch.edgar.item_titles import title_for
from edgarwatch.edgar.reader import read_filing
from edgarwatch.filing import Enrichment, Filing, Item
from edgarwatch.notifiers.rules import notifications_for
from edgarwatch.storage import PendingFiling

logger = logging.getLogger(__name__)

RETRY_BASE = 30.0
RETRY_CAP = 900.0
UNKNOWN_ITEMS_GIVE_UP = timedelta(hours=24)


@dataclass
class EnrichResult:
    enriched: int = 0
    failed: int = 0
    notifications: int = 0


def enrich_pending(context: Context, *, budget_seconds: float = 60.0) -> EnrichResult:
    """Enrich due filings (those that may notify first) within a time budget."""
    result = EnrichResult()
    deadline = time.monotonic() + budget_seconds
    now = context.now()
    for pending in context.storage.filings.due_for_enrichment(now):
        if context.stop.is_set() or time.monotonic() > deadline:
            break
        filing = pending.filing
        enrichment: Enrichment | None
        try:
            enrichment = read_filing(context.client, filing)
        except (EdgarBlocked, Interrupted):
            raise
        except (EdgarError, ValueError, UnicodeError) as exc:
            result.failed += 1
            enrichment = _after_failure(context, pending, exc)
            if enrichment is None:
                continue
        result.enriched += 1
        result.notifications += _store(context, filing, enrichment, pending.notify)
    return result


def _store(context: Context, filing: Filing, enrichment: Enrichment, notify: bool) -> int:
    numbers = [item.number for item in enrichment.items] or list(filing.items)
    rows = []
    if notify:
        rows = notifications_for(
            filing,
            numbers,
            context.settings.notify.rules,
            list(context.notifiers),
            ticker_ciks=_rule_tickers(context),
        )
    created = context.storage.filings.record_enrichment(filing.accession, enrichment, rows)
    if created:
        logger.info(
            "%s %s of %s: %d notification(s) queued (items %s)",
            filing.form,
            filing.accession,
            filing.company,
            created,
            ",".join(numbers),
        )
    return created


def _rule_tickers(context: Context) -> dict[str, int]:
    wanted = {t for rule in context.settings.notify.rules for t in rule.tickers}
    if not wanted:
        return {}
    return {t.ticker: t.cik for t in context.storage.state.tickers() if t.ticker in wanted}


def _after_failure(context: Context, pending: PendingFiling, exc: Exception) -> Enrichment | None:
    """Retry later, or — past the give-up age — settle for the declared items."""
    filing = pending.filing
    error = f"{type(exc).__name__}: {exc}"
    age = context.now() - pending.recorded_at
    give_up = timedelta(minutes=context.settings.notify.enrich_give_up_minutes)
    if (filing.items and age >= give_up) or age >= UNKNOWN_ITEMS_GIVE_UP:
        logger.error(
            "cannot read the documents of %s %s (%s); recording its declared items without "
            "text so its notifications are not held back",
            filing.form,
            filing.accession,
            error,
        )
        items = tuple(Item(n, title_for(n), None) for n in filing.items)
        return Enrichment(items=items, status="partial", error=error)
    attempt = pending.attempts + 1
    retry_at = context.now() + timedelta(
        seconds=full_jitter(attempt, base=RETRY_BASE, cap=RETRY_CAP) + 5
    )
    logger.warning(
        "cannot read the documents of %s %s yet (%s); retry %d at %s",
        filing.form,
        filing.accession,
        error,
        attempt,
        retry_at.isoformat(timespec="seconds"),
    )
    context.storage.filings.record_enrichment_failure(filing.accession, error, retry_at)
    return None
