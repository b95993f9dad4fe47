"""A filing's own rows: the `filings` row, its companies and roles, the items EDGAR
declared, and the notifications its rules queue.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlite_utils import Database

from edgarwatch.filing import Company, Filing
from edgarwatch.items import title_for
from edgarwatch.policy import NewNotification, NotifyPolicy
from edgarwatch.storage.report_rows import ordered_numbers
from edgarwatch.storage.timefmt import iso, utc_now


def filing_row(filing: Filing, source: str, policy: NotifyPolicy, priority: int) -> dict[str, Any]:
    return {
        "accession": filing.accession,
        "cik": filing.cik,
        "company": filing.company,
        "form": filing.form,
        "filed": filing.filed.isoformat() if filing.filed else None,
        "accepted_at": filing.accepted_at.isoformat() if filing.accepted_at else None,
        "items": json.dumps(ordered_numbers(filing.items)),
        "url": filing.url,
        "size": filing.size,
        "primary_document": filing.primary_document,
        "source": source,
        "notify": policy.value,
        "read_priority": priority,
        "period": filing.period.isoformat() if filing.period else None,
        "file_number": filing.file_number,
        "enrich_status": "pending",
        "enrich_attempts": 0,
        "recorded_at": iso(utc_now()),
    }


def fill_period(db: Database, filing: Filing) -> None:
    """The period of report and file number, when a source gives them and none was known."""
    db.execute(
        "UPDATE filings SET period = coalesce(period, ?), file_number = coalesce(file_number, ?) "
        "WHERE accession = ?",
        [
            filing.period.isoformat() if filing.period else None,
            filing.file_number,
            filing.accession,
        ],
    )


def insert_companies(db: Database, accession: str, companies: Iterable[Company]) -> None:
    """Every company once per filing; a role or name a source did not know is filled in
    by one that does, a known role is never overwritten."""
    for c in companies:
        db.execute(
            "INSERT INTO filing_companies (accession, cik, name, role) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (accession, cik) DO UPDATE SET "
            "role = coalesce(filing_companies.role, excluded.role), "
            "name = coalesce(nullif(filing_companies.name, ''), excluded.name)",
            [accession, c.cik, c.name, c.role],
        )


def settle_filer(db: Database, accession: str) -> None:
    """Once a source names the Filer, it is the filing's primary company (a watched
    Subject found first through its submissions JSON stops standing in for it)."""
    row = db.execute(
        "SELECT cik, name FROM filing_companies WHERE accession = ? "
        "AND lower(role) LIKE 'filer%' ORDER BY rowid LIMIT 1",
        [accession],
    ).fetchone()
    if row is not None:
        db.execute(
            "UPDATE filings SET cik = ?, company = coalesce(nullif(?, ''), company) "
            "WHERE accession = ?",
            [row[0], row[1], accession],
        )


def insert_declared_items(db: Database, accession: str, numbers: Iterable[str]) -> None:
    db.table("items").insert_all(
        [
            {"accession": accession, "number": n, "title": title_for(n), "text": None}
            for n in numbers
        ],
        ignore=True,
    )


def insert_notifications(
    db: Database,
    accession: str,
    notifications: Sequence[NewNotification],
    now: str,
    *,
    due: str | None = None,
    waits_for_read: bool = False,
) -> int:
    created = 0
    for n in notifications:
        cursor = db.execute(
            "INSERT INTO notifications (accession, channel, rule, items, delivery_id, "
            "status, attempts, created_at, next_attempt_at, waits_for_read) "
            "VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?) "
            "ON CONFLICT (accession, channel, rule) DO NOTHING",
            [
                accession,
                n.channel,
                n.rule,
                json.dumps(n.items),
                str(uuid.uuid4()),
                now,
                due or now,
                int(waits_for_read),
            ],
        )
        created += cursor.rowcount
    return created


def read_at_last(
    db: Database, accession: str, notifications: Sequence[NewNotification], now: str
) -> int:
    """The filing was read: its rows queued from what EDGAR declared are due now, with
    the items the read found for them; returns how many were waiting."""
    for n in notifications:
        db.execute(
            "UPDATE notifications SET items = ? WHERE accession = ? AND channel = ? "
            "AND rule = ? AND waits_for_read = 1 AND status = 'pending'",
            [json.dumps(n.items), accession, n.channel, n.rule],
        )
    cursor = db.execute(
        "UPDATE notifications SET waits_for_read = 0, next_attempt_at = ? "
        "WHERE accession = ? AND waits_for_read = 1 AND status = 'pending'",
        [now, accession],
    )
    return int(cursor.rowcount)
