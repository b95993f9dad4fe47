"""Recorded filings read back as domain values: a filing, its report, the
originals an amendment names, its agreements.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from typing import Any

from edgarwatch.agreement import Agreement
from edgarwatch.filing import AmendedFiling, Company, Filing, FilingReport, Item
from edgarwatch.items import sort_key
from edgarwatch.storage.db import Connections
from edgarwatch.storage.report_rows import agreement_of, exhibit_of

logger = logging.getLogger(__name__)


class FilingReads:
    """Reading recorded filings back: one filing, its report (items, exhibits, agreements), the originals an amendment names."""

    def __init__(self, connections: Connections) -> None:
        self.c = connections

    def get(self, accession: str) -> Filing | None:
        rows = self.c.query("SELECT * FROM filings WHERE accession = ?", [accession])
        return self._filing(rows[0]) if rows else None

    def report(self, accession: str) -> FilingReport | None:
        """The filing as recorded, with its items (and the agreements they describe)."""
        rows = self.c.query("SELECT * FROM filings WHERE accession = ?", [accession])
        if not rows:
            return None
        items = self.c.query(
            "SELECT number, title, text FROM items WHERE accession = ?", [accession]
        )
        undeclared = self.c.query(
            "SELECT number, title, text FROM undeclared_items WHERE accession = ?", [accession]
        )
        exhibits = self.c.query(
            "SELECT * FROM exhibits WHERE accession = ? ORDER BY sequence, document", [accession]
        )
        deals = self.agreements_of(accession)
        return FilingReport(
            filing=self._filing(rows[0]),
            items=tuple(
                sorted(
                    (Item(**row, agreements=deals.get(row["number"], ())) for row in items),
                    key=lambda i: sort_key(i.number),
                )
            ),
            exhibits=tuple(exhibit_of(row) for row in exhibits),
            document_only_items=tuple(
                Item(**row, agreements=deals.get(row["number"], ())) for row in undeclared
            ),
            party_watch=tuple(json.loads(rows[0]["party_watch"] or "[]")),
            amends=self._amended(rows[0]),
        )

    def _amended(self, row: dict[str, Any]) -> AmendedFiling | None:
        """The filing an amendment amends, with its items' text when it is recorded."""
        accession = row.get("amends")
        if not accession:
            return None
        original = self.c.query("SELECT form FROM filings WHERE accession = ?", [accession])
        items = self.c.query(
            "SELECT number, title, text FROM items WHERE accession = ?", [accession]
        )
        return AmendedFiling(
            accession=accession,
            form=original[0]["form"] if original else "8-K",
            filed=date.fromisoformat(row["amends_filed"]) if row.get("amends_filed") else None,
            how=row.get("amends_how") or "text",
            items=tuple(sorted((Item(**i) for i in items), key=lambda i: sort_key(i.number))),
        )

    def originals(
        self,
        cik: int,
        *,
        filed: date | None = None,
        period: date | None = None,
        before: datetime | None = None,
    ) -> list[Filing]:
        """The 8-Ks (not amendments) of company `cik` filed on `filed`, or of period of
        report `period`, accepted before `before`: what an 8-K/A may amend."""
        clauses = [
            "(f.cik = ? OR f.accession IN (SELECT accession FROM filing_companies "
            "WHERE cik = ? AND lower(coalesce(role, 'filer')) LIKE 'filer%'))",
            "upper(f.form) NOT LIKE '%/A'",
        ]
        params: list[Any] = [cik, cik]
        if filed is not None:
            clauses.append("f.filed = ?")
            params.append(filed.isoformat())
        if period is not None:
            clauses.append("f.period = ?")
            params.append(period.isoformat())
        if before is not None:
            clauses.append("(f.accepted_at IS NULL OR julianday(f.accepted_at) < julianday(?))")
            params.append(before.isoformat())
        rows = self.c.query(
            f"SELECT * FROM filings f WHERE {' AND '.join(clauses)} "
            "ORDER BY coalesce(julianday(f.accepted_at), julianday(f.filed)) DESC",
            params,
        )
        return [self._filing(row) for row in rows]

    def agreements_of(self, accession: str) -> dict[str, tuple[Agreement, ...]]:
        """The recorded agreements of a filing, by item number, in the items' order.

        A row that no longer reads as an agreement (edited by hand) is skipped and
        logged: it must not keep the filing's notification from going out."""
        found: dict[str, list[Agreement]] = {}
        rows = self.c.query(
            "SELECT * FROM agreements WHERE accession = ? ORDER BY item, position", [accession]
        )
        for row in rows:
            try:
                agreement = agreement_of(row)
            except (ValueError, KeyError, TypeError) as exc:
                logger.warning(
                    "agreement %s of %s item %s is unreadable (%s): left out",
                    row["position"],
                    accession,
                    row["item"],
                    exc,
                )
                continue
            found.setdefault(row["item"], []).append(agreement)
        return {number: tuple(agreements) for number, agreements in found.items()}

    def _filing(self, row: dict[str, Any]) -> Filing:
        companies = self.c.query(
            "SELECT cik, name, role FROM filing_companies WHERE accession = ? ORDER BY rowid",
            [row["accession"]],
        )
        return Filing(
            accession=row["accession"],
            form=row["form"],
            companies=tuple(Company(**c) for c in companies)
            or (Company(row["cik"], row["company"]),),
            url=row["url"],
            accepted_at=datetime.fromisoformat(row["accepted_at"]) if row["accepted_at"] else None,
            filed=date.fromisoformat(row["filed"]) if row["filed"] else None,
            items=tuple(json.loads(row["items"] or "[]")),
            size=row["size"],
            primary_document=row["primary_document"],
            period=date.fromisoformat(row["period"]) if row.get("period") else None,
            file_number=row.get("file_number"),
        )
