"""The read queue: recorded filings whose documents are still to be read, and what
a read found (items, exhibits, agreements, and the notifications they justify)
written in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from edgarwatch.filing import Filing, FilingReport
from edgarwatch.policy import NewNotification, NotifyPolicy
from edgarwatch.storage.filing_reads import FilingReads
from edgarwatch.storage.filing_rows import (
    fill_period,
    insert_companies,
    insert_notifications,
    read_at_last,
    settle_filer,
)
from edgarwatch.storage.report_rows import exhibit_row, item_row, ordered_numbers, write_agreements
from edgarwatch.storage.timefmt import iso, utc_now


@dataclass(frozen=True)
class PendingFiling:
    """A recorded filing whose documents are still to be read."""

    filing: Filing
    policy: NotifyPolicy
    recorded_at: datetime
    attempts: int
    priority: int = 1


class FilingEnrichment(FilingReads):
    """The read queue: filings whose documents are still to be read, and what a read found (items, exhibits, agreements and the notifications they justify) written in one transaction."""

    def due_for_enrichment(
        self, now: datetime, limit: int = 50, *, skip: Iterable[str] = ()
    ) -> list[PendingFiling]:
        """Filings whose documents are due to be read, in the read queue's order: what
        will notify first, then other news, then history; oldest first within each.
        `skip`: accessions being read right now (the in-flight registry)."""
        skipped = list(skip)
        marks = ",".join("?" * len(skipped))
        rows = self.c.query(
            "SELECT * FROM filings WHERE enrich_status = 'pending' "
            "AND (next_enrich_at IS NULL OR next_enrich_at <= ?) "
            + (f"AND accession NOT IN ({marks}) " if skipped else "")
            + "ORDER BY read_priority, recorded_at LIMIT ?",
            [iso(now), *skipped, limit],
        )
        return [self._pending(row) for row in rows]

    def unannounced(self, limit: int = 1000) -> list[PendingFiling]:
        """Unread news whose declared items already match a rule (`read_priority` 0) and
        that has no notification yet: what can be queued before its documents are read."""
        rows = self.c.query(
            "SELECT * FROM filings WHERE enrich_status = 'pending' AND read_priority = 0 "
            "AND notify = 'news' AND NOT EXISTS "
            "(SELECT 1 FROM notifications n WHERE n.accession = filings.accession) "
            "ORDER BY recorded_at LIMIT ?",
            [limit],
        )
        return [self._pending(row) for row in rows]

    def _pending(self, row: dict[str, Any]) -> PendingFiling:
        return PendingFiling(
            self._filing(row),
            NotifyPolicy(row["notify"]),
            datetime.fromisoformat(row["recorded_at"]),
            int(row["enrich_attempts"] or 0),
            int(row["read_priority"]),
        )

    def queue_declared(
        self, queued: Sequence[tuple[str, Sequence[NewNotification], datetime]]
    ) -> int:
        """Queue outbox rows decided by what EDGAR declared, before the documents are read:
        (accession, rows, until when they wait for the read) each. One transaction;
        returns how many rows were created."""
        created = 0
        now = iso(utc_now())
        with self.c.transaction() as db:
            for accession, notifications, until in queued:
                created += insert_notifications(
                    db, accession, notifications, now, due=iso(until), waits_for_read=True
                )
        return created

    def next_enrichment_due(self) -> datetime | None:
        """When the earliest filing waiting for a retry is due (None: none waits)."""
        row = self.c.db.execute(
            "SELECT min(next_enrich_at) FROM filings WHERE enrich_status = 'pending'"
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def overdue_notifiable(self, recorded_before: datetime) -> int:
        """Filings that may notify, recorded before `recorded_before`, still unread."""
        row = self.c.db.execute(
            "SELECT count(*) FROM filings WHERE enrich_status = 'pending' AND notify = 'news' "
            "AND recorded_at < ?",
            [iso(recorded_before)],
        ).fetchone()
        return int(row[0])

    def pending_enrichment_count(self) -> int:
        row = self.c.db.execute(
            "SELECT count(*) FROM filings WHERE enrich_status = 'pending'"
        ).fetchone()
        return int(row[0])

    def record_enrichment(
        self, report: FilingReport, notifications: Sequence[NewNotification]
    ) -> int:
        """Write item texts, exhibits, agreements and the outbox rows in one transaction.

        Returns how many outbox rows were created (0 when they already existed).
        """
        filing, accession = report.filing, report.filing.accession
        now = iso(utc_now())
        with self.c.transaction() as db:
            insert_companies(db, accession, filing.companies)
            settle_filer(db, accession)
            self._write_items(db, accession, report)
            db.table("exhibits").upsert_all(
                [exhibit_row(accession, e) for e in report.exhibits],
                pk=("accession", "document"),
            )
            write_agreements(db, accession, report)
            updates: dict[str, Any] = {
                "enrich_status": "partial" if report.error else "done",
                "enrich_error": report.error,
                "enriched_at": now,
                "next_enrich_at": None,
                "party_watch": (
                    json.dumps(report.party_watch, ensure_ascii=False)
                    if report.party_watch
                    else None
                ),
            }
            if report.items:
                row = db.execute("SELECT items FROM filings WHERE accession = ?", [accession])
                known = json.loads(row.fetchone()[0] or "[]")
                updates["items"] = json.dumps(
                    ordered_numbers([*known, *(i.number for i in report.items)])
                )
            if filing.accepted_at:
                updates["accepted_at"] = filing.accepted_at.isoformat()
            if filing.primary_document:
                updates["primary_document"] = filing.primary_document
            if report.public_at:
                updates["public_at"] = report.public_at.isoformat()
            if report.amends is not None:
                updates["amends"] = report.amends.accession
                updates["amends_filed"] = (
                    report.amends.filed.isoformat() if report.amends.filed else None
                )
                updates["amends_how"] = report.amends.how
            db.table("filings").update(accession, updates)
            fill_period(db, filing)
            created = insert_notifications(db, accession, notifications, now)
            return created + read_at_last(db, accession, notifications, now)

    def _write_items(self, db: Database, accession: str, report: FilingReport) -> None:
        db.table("items").upsert_all(
            [item_row(accession, item) for item in report.items], pk=("accession", "number")
        )
        if report.document_only_items:
            db.table("undeclared_items").upsert_all(
                [item_row(accession, item) for item in report.document_only_items],
                pk=("accession", "number"),
            )

    def record_enrichment_failure(self, accession: str, error: str, retry_at: datetime) -> None:
        with self.c.transaction() as db:
            db.execute(
                "UPDATE filings SET enrich_attempts = enrich_attempts + 1, enrich_error = ?, "
                "next_enrich_at = ? WHERE accession = ?",
                [error[:2000], iso(retry_at), accession],
            )
