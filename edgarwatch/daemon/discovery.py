"""Recording what the sources found: the 8-Ks of watched companies, each with its policy.

Shared by the fast tier, the catch-up tier and backfill. Recording is
idempotent on the accession; whether a new filing may notify is decided once,
here, when it is first recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from edgarwatch.daemon.context import Context
from edgarwatch.edgar.sources import FEED_FORM
from edgarwatch.filing import EASTERN, Filing

logger = logging.getLogger(__name__)

_LAST = datetime.max.replace(tzinfo=EASTERN)


def is_eight_k(filing: Filing) -> bool:
    return filing.form.upper().startswith(FEED_FORM)


def may_notify(context: Context, filing: Filing) -> bool:
    """Notify only what was accepted after this database's baseline, and after each
    matching company started being watched (history is recorded, not announced)."""
    baseline = context.storage.state.get_time("baseline_at")
    if baseline is None:
        return False
    moment = _when(filing)
    if moment is None:
        return False
    horizon = baseline - context.lookback
    if context.watchlist.everyone:
        return moment >= horizon
    added = context.storage.state.watched_since(filing.ciks) or baseline
    return moment >= max(horizon, added - context.lookback)


def _when(filing: Filing) -> datetime | None:
    if filing.accepted_at is not None:
        return filing.accepted_at
    if filing.filed is not None:  # daily index: the end of the filing day, Eastern
        return datetime.combine(filing.filed, datetime.max.time(), EASTERN)
    return None


def record_matches(
    context: Context, filings: Iterable[Filing], *, source: str, notify: bool | None = None
) -> list[Filing]:
    """Record every not-yet-recorded 8-K of a watched company; return the new ones.

    `notify=None` decides per filing (`may_notify`); True/False forces it
    (the baseline records with False, `backfill --notify` with True).
    """
    candidates = [f for f in filings if is_eight_k(f) and context.watchlist.matches(f)]
    if not candidates:
        return []
    known = context.storage.filings.recorded(f.accession for f in candidates)
    new = []
    for filing in sorted(candidates, key=lambda f: f.accepted_at or _LAST):
        if filing.accession in known:
            continue
        eligible = may_notify(context, filing) if notify is None else notify
        context.storage.filings.record(filing, source=source, notify=eligible)
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
        if context.on_recorded:
            context.on_recorded(filing, eligible)
    return new
