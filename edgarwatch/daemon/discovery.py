"""Recording what the sources found: the 8-Ks of watched companies, each with its policy.

Shared by the poll, the feed sweep, full-text search, the catch-up tier and
backfill. Recording is idempotent on the accession; whether a new filing may
notify is decided once, here, when it is first recorded (`edgarwatch.policy`
holds the truth table), and so is its place in the read queue.

The live sources (poll, sweep, EFTS) go through `sighted`: every accession
they show is remembered in `seen`, watched or not, and one shown for the first
time after the baseline is news whatever its acceptance time — EDGAR posts
after-hours 8-Ks the next morning at their evening time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from edgarwatch.daemon.watchlist import Watchlist
from edgarwatch.edgar.sources import FEED_FORM
from edgarwatch.filing import EASTERN, Filing
from edgarwatch.metrics import NO_METRICS, Instruments
from edgarwatch.policy import (
    NotifyPolicy,
    Rule,
    back_filled,
    eligibility,
    first_sighting,
    read_priority,
)
from edgarwatch.storage import Storage
from edgarwatch.storage.timefmt import utc_now

logger = logging.getLogger(__name__)

FilingListener = Callable[[Filing, bool], None]
"""Called with each newly recorded matching filing and whether it may notify."""

Decide = Callable[[Filing], NotifyPolicy]

_LAST = datetime.max.replace(tzinfo=EASTERN)


def is_eight_k(filing: Filing) -> bool:
    return filing.form.upper().startswith(FEED_FORM)


@dataclass(frozen=True)
class Recorder:
    """Records the 8-Ks of watched companies that a source found."""

    storage: Storage
    watchlist: Watchlist
    lookback: timedelta = timedelta(0)
    on_recorded: FilingListener | None = None
    rules: Sequence[Rule] = field(default=())
    """The notify rules: they order the read queue (what will notify is read first)."""
    metrics: Instruments = NO_METRICS
    """Counts each recorded filing by source and policy, and news' detection lag."""

    def record(
        self, filings: Iterable[Filing], *, source: str, policy: NotifyPolicy | None = None
    ) -> list[Filing]:
        """Record every not-yet-recorded 8-K of a watched company; return the new ones.

        `policy=None` decides per filing by acceptance time (the catch-up
        sources' rows of the truth table); a policy given forces it.
        """
        baseline_at = self.storage.state.feed_cursor().baseline_at

        def decide(filing: Filing) -> NotifyPolicy:
            return policy or eligibility(
                filing,
                baseline_at=baseline_at,
                watched_since=self.storage.watched.since(filing.ciks),
                lookback=self.lookback,
                everyone=self.watchlist.everyone,
            )

        return self._record(filings, source, decide)

    def sighted(self, filings: Sequence[Filing], *, source: str) -> list[Filing]:
        """What a live source shows: remember every unseen accession, and record the
        watched ones as news (or as the baseline, before there is one)."""
        unseen = self.storage.state.unseen([f.accession for f in filings])
        new = [f for f in filings if f.accession in unseen]
        baseline_at = self.storage.state.feed_cursor().baseline_at

        def decide(filing: Filing) -> NotifyPolicy:
            return first_sighting(filing, baseline_at=baseline_at)

        recorded = self._record(new, source, decide)
        self.storage.state.mark_seen(new, source)
        return recorded

    def back_fill(self, filings: Iterable[Filing], *, source: str) -> list[Filing]:
        """A newly watched company's recent filings: history, except what was accepted
        after it started being watched (that is news it would otherwise miss)."""
        return self._record(
            filings,
            source,
            lambda filing: back_filled(filing, self.storage.watched.since(filing.ciks)),
        )

    def _record(self, filings: Iterable[Filing], source: str, decide: Decide) -> list[Filing]:
        candidates = [f for f in filings if is_eight_k(f) and self.watchlist.matches(f)]
        if not candidates:
            return []
        known = self.storage.filings.recorded(f.accession for f in candidates)
        new = [
            (filing, decide(filing))
            for filing in sorted(candidates, key=lambda f: f.accepted_at or _LAST)
            if filing.accession not in known
        ]
        if not new:
            return []
        self.storage.filings.record_all(
            [(f, decided, read_priority(f, decided, self.rules)) for f, decided in new],
            source=source,
        )
        for filing, decided in new:
            lag = _lag(filing) if decided.may_notify else None
            self.metrics.filing_recorded(source, decided.value, lag)
            self._log(filing, decided, source, lag)
            if self.on_recorded:
                self.on_recorded(filing, decided.may_notify)
        return [filing for filing, _ in new]

    @staticmethod
    def _log(filing: Filing, decided: NotifyPolicy, source: str, lag: float | None) -> None:
        after = "" if lag is None else f", {lag:.0f} s after its acceptance"
        logger.info(
            "recorded %s %s of %s (CIK %d), items %s, found by %s%s%s",
            filing.form,
            filing.accession,
            filing.company,
            filing.cik,
            ",".join(filing.items) or "unknown yet",
            source,
            after,
            "" if decided.may_notify else f" ({decided}: not notified)",
        )


def _lag(filing: Filing) -> float | None:
    """Seconds from EDGAR's acceptance to now (recorded), when the acceptance is known."""
    if filing.accepted_at is None:
        return None
    return (utc_now() - filing.accepted_at).total_seconds()
