"""Recording what the sources found: the 8-Ks of watched companies, each with its policy.

Shared by the fast tier, the catch-up tier and backfill. Recording is
idempotent on the accession; whether a new filing may notify is decided once,
here, when it is first recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from edgarwatch.daemon.watchlist import Watchlist
from edgarwatch.edgar.sources import FEED_FORM
from edgarwatch.filing import EASTERN, Filing
from edgarwatch.storage import Storage

logger = logging.getLogger(__name__)

FilingListener = Callable[[Filing, bool], None]
"""Called with each newly recorded matching filing and whether it may notify."""

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

    def record(
        self, filings: Iterable[Filing], *, source: str, notify: bool | None = None
    ) -> list[Filing]:
        """Record every not-yet-recorded 8-K of a watched company; return the new ones.

        `notify=None` decides per filing (`may_notify`); True/False forces it
        (the baseline records with False, `backfill --notify` with True).
        """
        candidates = [f for f in filings if is_eight_k(f) and self.watchlist.matches(f)]
        if not candidates:
            return []
        known = self.storage.filings.recorded(f.accession for f in candidates)
        new = []
        for filing in sorted(candidates, key=lambda f: f.accepted_at or _LAST):
            if filing.accession in known:
                continue
            eligible = self.may_notify(filing) if notify is None else notify
            self.storage.filings.record(filing, source=source, notify=eligible)
            new.append(filing)
            logger.info(
                "recorded %s %s of %s (CIK %d), items %s%s",
                filing.form,
                filing.accession,
                filing.company,
                filing.cik,
                ",".join(filing.items) or "unknown yet",
                "" if eligible else " (history: not notified)",
            )
            if self.on_recorded:
                self.on_recorded(filing, eligible)
        return new

    def may_notify(self, filing: Filing) -> bool:
        """Notify only what was accepted after this database's baseline, and after each
        matching company started being watched (history is recorded, not announced)."""
        baseline = self.storage.state.feed_cursor().baseline_at
        if baseline is None:
            return False
        moment = _when(filing)
        if moment is None:
            return False
        horizon = baseline - self.lookback
        if self.watchlist.everyone:
            return moment >= horizon
        added = self.storage.state.watched_since(filing.ciks) or baseline
        return moment >= max(horizon, added - self.lookback)


def _when(filing: Filing) -> datetime | None:
    if filing.accepted_at is not None:
        return filing.accepted_at
    if filing.filed is not None:  # daily index: the end of the filing day, Eastern
        return datetime.combine(filing.filed, datetime.max.time(), EASTERN)
    return None
