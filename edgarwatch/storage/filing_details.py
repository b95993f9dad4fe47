"""One recorded filing in full, as JSON-ready rows (`edgarwatch show`)."""

from __future__ import annotations

import json
from typing import Any

from edgarwatch.storage.filing_reads import FilingReads
from edgarwatch.storage.report_rows import by_item_number


class FilingDetails(FilingReads):
    """One filing in full (`edgarwatch show`): every company, item, exhibit and agreement recorded."""

    def details(self, accession: str) -> dict[str, Any] | None:
        """Everything recorded about one filing, as plain JSON-ready values: the filing
        row, every company and role, items with their text, items only the document
        has, exhibits, and agreements (when a table of them exists). None: not recorded."""
        rows = self.c.query(
            "SELECT accession, cik, company, form, filed, accepted_at, items, url, size, "
            "primary_document, source, notify, enrich_status, enrich_error, recorded_at, "
            "enriched_at FROM filings WHERE accession = ?",
            [accession],
        )
        if not rows:
            return None
        filing = rows[0]
        filing["items"] = json.loads(filing["items"] or "[]")
        filing["companies"] = self.c.query(
            "SELECT cik, name, role FROM filing_companies WHERE accession = ? ORDER BY rowid",
            [accession],
        )
        filing["item_texts"] = sorted(
            self.c.query("SELECT number, title, text FROM items WHERE accession = ?", [accession]),
            key=by_item_number,
        )
        filing["undeclared_items"] = sorted(
            self.c.query(
                "SELECT number, title, text FROM undeclared_items WHERE accession = ?", [accession]
            ),
            key=by_item_number,
        )
        filing["exhibits"] = self.c.query(
            "SELECT type, document, description, url, size FROM exhibits WHERE accession = ? "
            "ORDER BY sequence, document",
            [accession],
        )
        filing["agreements"] = self.agreements(accession)
        return filing

    def agreements(self, accession: str) -> list[dict[str, Any]]:
        """Rows of an `agreements` table about this filing, when the database has one
        (the deal-terms extractor's; its columns are its own), else nothing."""
        if not self.c.db.table("agreements").exists():
            return []
        return self.c.query(
            "SELECT * FROM agreements WHERE accession = ? ORDER BY rowid", [accession]
        )
