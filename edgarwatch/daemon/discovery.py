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
from edgarwatch.policy import NotifyPolicy, eligibility
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
        self, filings: Iterable[Filing], *, source: str, policy: NotifyPolicy | None = None
    ) -> list[Filing]:
        """Record every not-yet-recorded 8-K of a watched company; return the new ones.

        `policy=None` decides per filing (`edgarwatch.policy.eligibility`); a
        policy given forces it (the baseline, a watch-add catch-up, backfill).
        """
        candidates = [f for f in filings if is_eight_k(f) and self.watchlist.matches(f)]
        if not candidates:
            return []
        known = self.storage.filings.recorded(f.accession for f in candidates)
        baseline_at = self.storage.state.feed_cursor().baseline_at
        new = []
        for filing in sorted(candidates, key=lambda f: f.accepted_at or _LAST):
            if filing.accession in known:
                continue
            decided = policy or eligibility(
                filing,
                baseline_at=baseline_at,
                watched_since=self.storage.watched.since(filing.ciks),
                lookback=self.lookback,
                everyone=self.watchlist.everyone,
            )
            self.storage.filings.record(filing, source=source, policy=decided)
            new.append(filing)
            logger.info(
                "recorded %s %s of %s (CIK %d), items %s%s",
                filing.form,
                filing.accession,
                filing.company,
                filing.cik,
                ",".join(filing.items) or "unknown yet",
                "" if decided.may_notify else f" ({decided}: not notified)",
            )
            if self.on_recorded:
                self.on_recorded(filing, decided.may_notify)
        return new
