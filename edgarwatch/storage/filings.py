"""Recording filings, their companies, items and exhibits: `FilingStore`.

Recording is idempotent on the accession: the same filing from the feed and
the catch-up tier, or seen twice, or as a second role, is one row whose
companies and declared items are merged. Each filing is written in one
transaction; its enrichment (item texts, exhibits, the agreements the items
describe) and the outbox rows that follow from it are written together in
another (`filing_enrichment.py`), so a notification exists exactly when the
filing's items that justify it do. Reading back is `filing_reads.py`,
`filing_listing.py` and `filing_details.py`; the rows themselves are
`filing_rows.py` and `report_rows.py`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlite_utils import Database

from edgarwatch.filing import Filing
from edgarwatch.policy import NotifyPolicy
from edgarwatch.storage.filing_details import FilingDetails
from edgarwatch.storage.filing_enrichment import FilingEnrichment
from edgarwatch.storage.filing_listing import FilingListing
from edgarwatch.storage.filing_rows import (
    filing_row,
    fill_period,
    insert_companies,
    insert_declared_items,
    settle_filer,
)
from edgarwatch.storage.report_rows import ordered_numbers


class FilingStore(FilingEnrichment, FilingListing, FilingDetails):
    """Every filing's rows: recording here; the read queue, listing and details in its bases."""

    def record(
        self, filing: Filing, *, source: str, policy: NotifyPolicy, priority: int = 1
    ) -> bool:
        """Record a filing (or merge what is new about it); True when it is new.

        `priority` places it in the read queue (`edgarwatch.policy.read_priority`).
        """
        with self.c.transaction() as db:
            return self._record(db, filing, source, policy, priority)

    def record_all(
        self, filings: Sequence[tuple[Filing, NotifyPolicy, int]], *, source: str
    ) -> list[bool]:
        """Record (filing, policy, read priority) each, in one transaction (a burst of
        500 is one commit, not 500); whether each was new."""
        with self.c.transaction() as db:
            return [
                self._record(db, filing, source, policy, priority)
                for filing, policy, priority in filings
            ]

    def _record(
        self, db: Database, filing: Filing, source: str, policy: NotifyPolicy, priority: int
    ) -> bool:
        existing = db.execute(
            "SELECT items, accepted_at FROM filings WHERE accession = ?", [filing.accession]
        ).fetchone()
        if existing is None:
            db.table("filings").insert(filing_row(filing, source, policy, priority))
        else:
            self._merge(db, filing, existing)
        insert_companies(db, filing.accession, filing.companies)
        if existing is not None:
            settle_filer(db, filing.accession)
        insert_declared_items(db, filing.accession, filing.items)
        return existing is None

    def _merge(self, db: Database, filing: Filing, existing: tuple[Any, ...]) -> None:
        items = ordered_numbers(json.loads(existing[0] or "[]") + list(filing.items))
        updates: dict[str, Any] = {"items": json.dumps(items)}
        if existing[1] is None and filing.accepted_at:
            updates["accepted_at"] = filing.accepted_at.isoformat()
        db.table("filings").update(filing.accession, updates)
        fill_period(db, filing)

    def recorded(self, accessions: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(accessions))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.c.db.execute(
                f"SELECT accession FROM filings WHERE accession IN ({marks})",
                chunk,
            )
            found.update(row[0] for row in rows)
        return found
