"""An 8-K/A linked to the 8-K it amends (issue 12.3).

When a reader has read an amendment, `link_amendment` looks for its original:

1. **its own words**: "amends the Current Report on Form 8-K … filed on May 4,
   2007" (`edgar/amendments.py`, in the explanatory note before the items or
   in an item's text) → the same company's 8-K filed that day (or, "dated
   April 30, 2007", of that period of report), in the database;
2. otherwise, **the same file number and period of report** (an amendment
   keeps its original's date of the earliest event), in the database;
3. neither recorded (the original predates the watch, say): the company's
   submissions JSON through EDGAR's front door — **one request**, whatever
   follows — read by the same two rules.

Several candidates (two 8-Ks the same day): the one of the amendment's period
of report, else the latest accepted before the amendment. The link is stored
(`filings.amends`, `amends_filed`, `amends_how`) with the amendment's items;
the message says "amends 8-K of 2007-05-04 (accession …)" and what changed in
each item both have text for (`notifiers/render.py`).

EDGAR's pause and a shutdown stop the read as for any document; any other
failure here costs the link, never the filing or its notification.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from edgarwatch.edgar import sources
from edgarwatch.edgar.amendments import AmendedReference, amended_reference
from edgarwatch.edgar.client import EdgarBlocked, EdgarClient, EdgarError, Interrupted
from edgarwatch.filing import AmendedFiling, Filing, FilingReport
from edgarwatch.storage import Storage

logger = logging.getLogger(__name__)


def link_amendment(
    storage: Storage, client: EdgarClient | None, report: FilingReport
) -> AmendedFiling | None:
    """The filing `report` (an 8-K/A) amends, or None (see the module docstring)."""
    filing = report.filing
    if not filing.is_amendment:
        return None
    texts = [report.preamble, *(item.text or "" for item in report.items)]
    reference = amended_reference(*texts)
    found = _choose(filing, storage.filings.originals, reference)
    if found is None and client is not None:
        found = _from_edgar(client, filing, reference)
    if found is None:
        logger.info(
            "%s %s of %s: the filing it amends was not found%s",
            filing.form,
            filing.accession,
            filing.company,
            f" (it says: {reference.sentence[:200]!r})" if reference else "",
        )
        return None
    original, how = found
    logger.info(
        "%s %s amends %s %s of %s (found by %s)",
        filing.form,
        filing.accession,
        original.form,
        original.accession,
        original.filed,
        "its own words" if how == "text" else "file number and period of report",
    )
    return AmendedFiling(original.accession, original.form, original.filed, how)


class _Lookup(Protocol):
    """`FilingStore.originals`' shape: (cik, filed=, period=, before=) → 8-Ks, newest first."""

    def __call__(
        self,
        cik: int,
        *,
        filed: date | None = None,
        period: date | None = None,
        before: datetime | None = None,
    ) -> list[Filing]: ...


def _choose(
    amendment: Filing, lookup: _Lookup, reference: AmendedReference | None
) -> tuple[Filing, str] | None:
    """By the amendment's words, then by file number and period of report."""
    before = amendment.accepted_at
    if reference is not None:
        if reference.filed is not None:
            found = _best(amendment, lookup(amendment.cik, filed=reference.filed, before=before))
            if found is not None:
                return found, "text"
        if reference.dated is not None:
            found = _best(amendment, lookup(amendment.cik, period=reference.dated, before=before))
            if found is not None:
                return found, "text"
    if amendment.period is not None:
        candidates = [
            f
            for f in lookup(amendment.cik, period=amendment.period, before=before)
            if _same_file_number(amendment, f)
        ]
        found = _best(amendment, candidates)
        if found is not None:
            return found, "period"
    return None


def _best(amendment: Filing, candidates: Sequence[Filing]) -> Filing | None:
    """Of the originals that fit, the one of the amendment's period, else the latest."""
    originals = [c for c in candidates if c.accession != amendment.accession]
    if not originals:
        return None
    same_period = [c for c in originals if amendment.period and c.period == amendment.period]
    chosen = (same_period or originals)[0]
    return chosen


def _same_file_number(amendment: Filing, original: Filing) -> bool:
    """Equal file numbers, or one of them unknown (the same company's filing)."""
    if not amendment.file_number or not original.file_number:
        return True
    return amendment.file_number.strip() == original.file_number.strip()


def _from_edgar(
    client: EdgarClient, amendment: Filing, reference: AmendedReference | None
) -> tuple[Filing, str] | None:
    """One request: the company's submissions JSON, read by the same rules."""
    try:
        submissions = sources.company(client, amendment.cik)
    except (EdgarBlocked, Interrupted):
        raise
    except EdgarError as exc:
        logger.warning(
            "cannot look up what %s amends in the submissions JSON of CIK %d: %s",
            amendment.accession,
            amendment.cik,
            exc,
        )
        return None
    if submissions is None:
        return None
    recent = [f for f in submissions.filings if f.form.upper().startswith("8-K")]

    def lookup(
        cik: int,
        *,
        filed: date | None = None,
        period: date | None = None,
        before: datetime | None = None,
    ) -> list[Filing]:
        found = [
            f
            for f in recent
            if not f.is_amendment
            and (filed is None or f.filed == filed)
            and (period is None or f.period == period)
            and (before is None or f.accepted_at is None or f.accepted_at < before)
        ]
        return sorted(
            found, key=lambda f: f.accepted_at.timestamp() if f.accepted_at else 0.0, reverse=True
        )

    return _choose(amendment, lookup, reference)


__all__ = ["link_amendment"]
