"""Reading each new filing's documents, then deciding who to notify.

For every recorded filing still `pending`, fetch what is needed (the
complete submission when it is small, else the index page and the primary
document), parse items, texts and exhibits, and — in the same transaction —
create the outbox rows the rules call for. A fetch or parse failure leaves
the filing recorded and retried on the next cycle, never blocking the
others; once `notify.enrich_give_up_minutes` have passed, a filing that must
notify is notified with what EDGAR declared (items and titles, no text)
rather than not at all.

What EDGAR declared often decides a notification before anything is read:
the feed's summary lists a filing's items, so a watched company's 8-K
declaring Item 1.01 will notify whatever its documents say. `announce_declared`
queues those rows as soon as the filing is recorded, each waiting for the
read (`waits_for_read`) until the read's give-up time: a lone filing still
goes out with its text and deal terms a moment later, but a burst — which a
channel sends as summaries, one line per filing, no item text — goes out at
once instead of at the pace of the SEC's rate limit (60 deals read at 5
requests/s take 12 s).

Faults stay with the filing they happen to. *Any* exception while reading
one filing (a truncated gzip body, a parser choking on hostile markup, a bug)
is that filing's failure — counted, backed off, given up on with its
declared items — never the cycle's: a poison filing first in line must not
silence every filing behind it. And a 200 that is not the document (a
maintenance page, a truncated body) is a failed read too: when a declared
item other than the exhibit list gets no text at all, the read is retried;
past the give-up age, what was read is kept, marked `partial`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta

from edgarwatch.backoff import full_jitter
from edgarwatch.daemon.amendments import link_amendment
from edgarwatch.daemon.schedule import public_moment
from edgarwatch.daemon.watchlist import Watchlist
from edgarwatch.edgar.client import EdgarBlocked, EdgarClient, EdgarError, Interrupted
from edgarwatch.edgar.sources import read_filing
from edgarwatch.filing import Filing, FilingReport, Item
from edgarwatch.items import title_for
from edgarwatch.policy import NotifySettings, notifications_for, party_watch
from edgarwatch.storage import PendingFiling, Storage, StorageError
from edgarwatch.storage.timefmt import utc_now

logger = logging.getLogger(__name__)

RETRY_BASE = 30.0
RETRY_CAP = 900.0
UNKNOWN_ITEMS_GIVE_UP = timedelta(hours=24)
TEXTLESS_ITEMS = frozenset({"9.01", "7"})
"""Financial Statements and Exhibits (and legacy Item 7) is often only an exhibit
list under no heading: its missing text says nothing about the read."""


class IncompleteDocument(ValueError):
    """The document parsed, but a declared item has no text: not the real document."""

    def __init__(self, missing: list[str], report: FilingReport) -> None:
        self.report = report
        super().__init__(
            "the document has no text for declared item(s) "
            + ", ".join(missing)
            + " (a maintenance page or a truncated body?)"
        )


ROUTINE_FAILURES = (EdgarError, ValueError, UnicodeError)
"""EDGAR's own failures and unreadable bytes; anything else also logs its traceback."""


@dataclass
class EnrichResult:
    enriched: int = 0
    failed: int = 0
    notifications: int = 0


def enrich_pending(
    storage: Storage,
    client: EdgarClient,
    notify: NotifySettings,
    channels: Sequence[str],
    *,
    watchlist: Watchlist,
    stop: threading.Event | None = None,
    budget_seconds: float = 60.0,
) -> EnrichResult:
    """Enrich due filings in the read queue's order (what will notify first) within a
    time budget; queue the notifications the rules call for on `channels`. One pass,
    for `edgarwatch poll` and tests; the daemon's readers take filings one at a time.
    `watchlist`: a filing none of its companies are on was recorded for
    `watch.parties`, and notifies only for them."""
    reader = Reader(storage, client, notify, channels, lambda: watchlist)
    deadline = time.monotonic() + budget_seconds
    for pending in storage.filings.due_for_enrichment(utc_now()):
        if (stop and stop.is_set()) or time.monotonic() > deadline:
            break
        reader.enrich(pending)
    return reader.result


def announce_declared(
    storage: Storage,
    notify: NotifySettings,
    channels: Sequence[str],
    watchlist: Watchlist,
    *,
    limit: int = 1000,
) -> int:
    """Queue the notifications that unread news already calls for by its declared items
    (a watched company's filing: the party watch needs the read to decide), each
    waiting for the read until the read's give-up time. Returns how many were queued."""
    pending = storage.filings.unannounced(limit)
    if not pending:
        return 0
    tickers = rule_tickers(storage, notify)
    give_up = timedelta(minutes=notify.enrich_give_up_minutes)
    queued = []
    for filing in pending:
        if not filing.policy.may_notify or not watchlist.watches_company(filing.filing):
            continue
        rows = notifications_for(
            filing.filing, filing.filing.items, notify.rules, list(channels), ticker_ciks=tickers
        )
        if rows:
            queued.append((filing.filing.accession, rows, filing.recorded_at + give_up))
    created = storage.filings.queue_declared(queued) if queued else 0
    if created:
        logger.info(
            "%d notification(s) of %d filing(s) queued from their declared items, "
            "ahead of reading them",
            created,
            len(queued),
        )
    return created


def rule_tickers(storage: Storage, notify: NotifySettings) -> dict[str, int]:
    """The CIKs of the tickers rules name (from the cached company_tickers.json)."""
    wanted = {t for rule in notify.rules for t in rule.tickers}
    if not wanted:
        return {}
    return {t.ticker: t.cik for t in storage.state.tickers() if t.ticker in wanted}


@dataclass
class Reader:
    """One enrichment pass: what it reads with, and what it did."""

    storage: Storage
    client: EdgarClient
    notify: NotifySettings
    channels: Sequence[str]
    watchlist: Callable[[], Watchlist]
    """The watchlist in force (the daemon replaces it when the watch file changes)."""
    result: EnrichResult = field(default_factory=EnrichResult)

    def enrich(self, pending: PendingFiling) -> int:
        """Read and record one filing; return how many notifications it queued."""
        report = self.read(pending)
        if report is None:
            return 0
        report = self.linked(report)
        try:
            created = self.store(pending, report)
            self.result.notifications += created
        except StorageError:
            raise  # the database itself: the cycle's failure, said once by the cycle
        except Exception as exc:  # a bug deciding one filing's notifications stays with it
            logger.exception("storing %s failed", pending.filing.accession)
            self.result.failed += 1
            self.retry_later(pending, f"{type(exc).__name__}: {exc}")
            return 0
        self.result.enriched += 1
        return created

    def read(self, pending: PendingFiling) -> FilingReport | None:
        """Read one filing; any failure is this filing's (retry later, or give up)."""
        try:
            return complete(pending.filing, read_filing(self.client, pending.filing))
        except (EdgarBlocked, Interrupted):
            raise  # the SEC's pause and a shutdown stop the whole cycle, by design
        except Exception as exc:  # one filing's bad bytes must not stop the rest
            self.result.failed += 1
            if not isinstance(exc, ROUTINE_FAILURES):
                logger.exception("reading %s raised unexpectedly", pending.filing.accession)
            return self.after_failure(pending, exc)

    def linked(self, report: FilingReport) -> FilingReport:
        """An 8-K/A with the filing it amends (`amendments.py`): found in the database, or
        with one request for the company's submissions JSON. The SEC's pause and a
        shutdown stop the read; any other failure costs the link only."""
        if not report.filing.is_amendment:
            return report
        try:
            return replace(report, amends=link_amendment(self.storage, self.client, report))
        except (EdgarBlocked, Interrupted, StorageError):
            raise
        except Exception:  # a bug linking must not cost the filing its notification
            logger.exception("linking %s to what it amends failed", report.filing.accession)
            return report

    def store(self, pending: PendingFiling, report: FilingReport) -> int:
        """Record what was read and, for a `news` filing, the notifications it calls for
        (for a filing of no watched company, only those the party watch justifies)."""
        filing = pending.filing
        numbers = [item.number for item in report.items] or list(filing.items)
        parties, watchlist = None, self.watchlist()
        if not watchlist.watches_company(filing):
            parties = party_watch(watchlist.parties, report.items)
            report = replace(report, party_watch=parties.names)
        rows = []
        if pending.policy.may_notify:
            rows = notifications_for(
                filing,
                numbers,
                self.notify.rules,
                list(self.channels),
                ticker_ciks=self.rule_tickers(),
                parties=parties,
            )
        created = self.storage.filings.record_enrichment(with_public_moment(report), rows)
        if created:
            logger.info(
                "%s %s of %s: %d notification(s) queued (items %s%s)",
                filing.form,
                filing.accession,
                filing.company,
                created,
                ",".join(numbers),
                f"; party watch: {', '.join(report.party_watch)}" if parties else "",
            )
        return created

    def rule_tickers(self) -> dict[str, int]:
        return rule_tickers(self.storage, self.notify)

    def after_failure(self, pending: PendingFiling, exc: Exception) -> FilingReport | None:
        """Retry later, or — past the give-up age — settle for the declared items."""
        filing = pending.filing
        error = f"{type(exc).__name__}: {exc}"
        age = utc_now() - pending.recorded_at
        give_up = timedelta(minutes=self.notify.enrich_give_up_minutes)
        if (filing.items and age >= give_up) or age >= UNKNOWN_ITEMS_GIVE_UP:
            logger.error(
                "cannot read the documents of %s %s (%s); recording %s so its notifications "
                "are not held back",
                filing.form,
                filing.accession,
                error,
                "what was read" if isinstance(exc, IncompleteDocument) else "its declared items",
            )
            if isinstance(exc, IncompleteDocument):
                return replace(exc.report, error=error)
            items = tuple(Item(n, title_for(n), None) for n in filing.items)
            return FilingReport(filing, items=items, error=error)
        self.retry_later(pending, error)
        return None

    def retry_later(self, pending: PendingFiling, error: str) -> None:
        attempt = pending.attempts + 1
        retry_at = utc_now() + timedelta(
            seconds=full_jitter(attempt, base=RETRY_BASE, cap=RETRY_CAP) + 5
        )
        logger.warning(
            "cannot read the documents of %s %s yet (%s); retry %d at %s",
            pending.filing.form,
            pending.filing.accession,
            error,
            attempt,
            retry_at.isoformat(timespec="seconds"),
        )
        self.storage.filings.record_enrichment_failure(pending.filing.accession, error, retry_at)


def with_public_moment(report: FilingReport) -> FilingReport:
    """The report with its first public moment: the index page's `Last-Modified` (the
    acceptance time, EDGAR.md), but never before EDGAR posts it — an 8-K accepted after
    17:30 ET is held to the next business day's 06:00."""
    filing = report.filing
    accepted = filing.accepted_at or report.public_at
    if accepted is None:
        return report
    moment = public_moment(filing.form, accepted)
    if report.public_at is not None:
        moment = max(moment, report.public_at)
    return replace(report, public_at=moment)


def complete(filing: Filing, report: FilingReport) -> FilingReport:
    """Raise IncompleteDocument when the read found no item at all, or a declared item
    (other than the exhibit list) has no text: an 8-K always reports at least one item,
    and on the corpus of real 8-Ks every modern declared item has text under a heading."""
    texts = {item.number: (item.text or "").strip() for item in report.items}
    if not texts:
        raise IncompleteDocument(list(filing.items) or ["(any)"], report)
    missing = [n for n in filing.items or texts if n not in TEXTLESS_ITEMS and not texts.get(n)]
    if missing:
        raise IncompleteDocument(missing, report)
    return report
