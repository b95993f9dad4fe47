"""Recording filings, their companies, items and exhibits.

Recording is idempotent on the accession: the same filing from the feed and
the catch-up tier, or seen twice, or as a second role, is one row whose
companies and declared items are merged. Each filing is written in one
transaction; its enrichment (item texts, exhibits, the agreements the items
describe) and the outbox rows that follow from it are written together in
another, so a notification exists exactly when the filing's items that
justify it do.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlite_utils import Database

from edgarwatch.agreement import Agreement, headline, party_key
from edgarwatch.filing import AmendedFiling, Company, Exhibit, Filing, FilingReport, Item
from edgarwatch.items import sort_key, title_for
from edgarwatch.policy import NewNotification, NotifyPolicy
from edgarwatch.storage.db import Connections, SearchSyntaxError
from edgarwatch.storage.timefmt import iso, utc_now

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PendingFiling:
    """A recorded filing whose documents are still to be read."""

    filing: Filing
    policy: NotifyPolicy
    recorded_at: datetime
    attempts: int
    priority: int = 1


class FilingStore:
    def __init__(self, connections: Connections) -> None:
        self.c = connections

    # -- recording -----------------------------------------------------------
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
            db.table("filings").insert(_filing_row(filing, source, policy, priority))
        else:
            self._merge(db, filing, existing)
        _insert_companies(db, filing.accession, filing.companies)
        if existing is not None:
            _settle_filer(db, filing.accession)
        _insert_declared_items(db, filing.accession, filing.items)
        return existing is None

    def _merge(self, db: Database, filing: Filing, existing: tuple[Any, ...]) -> None:
        items = _ordered(json.loads(existing[0] or "[]") + list(filing.items))
        updates: dict[str, Any] = {"items": json.dumps(items)}
        if existing[1] is None and filing.accepted_at:
            updates["accepted_at"] = filing.accepted_at.isoformat()
        db.table("filings").update(filing.accession, updates)
        _fill_period(db, filing)

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

    # -- enrichment ----------------------------------------------------------
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
        return [
            PendingFiling(
                self._filing(row),
                NotifyPolicy(row["notify"]),
                datetime.fromisoformat(row["recorded_at"]),
                int(row["enrich_attempts"] or 0),
                int(row["read_priority"]),
            )
            for row in rows
        ]

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
        return [
            PendingFiling(
                self._filing(row),
                NotifyPolicy(row["notify"]),
                datetime.fromisoformat(row["recorded_at"]),
                int(row["enrich_attempts"] or 0),
                0,
            )
            for row in rows
        ]

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
                created += _insert_notifications(
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
            _insert_companies(db, accession, filing.companies)
            _settle_filer(db, accession)
            self._write_items(db, accession, report)
            db.table("exhibits").upsert_all(
                [_exhibit_row(accession, e) for e in report.exhibits],
                pk=("accession", "document"),
            )
            _write_agreements(db, accession, report)
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
                updates["items"] = json.dumps(_ordered([*known, *(i.number for i in report.items)]))
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
            _fill_period(db, filing)
            created = _insert_notifications(db, accession, notifications, now)
            return created + _read_at_last(db, accession, notifications, now)

    def _write_items(self, db: Database, accession: str, report: FilingReport) -> None:
        db.table("items").upsert_all(
            [_item_row(accession, item) for item in report.items], pk=("accession", "number")
        )
        if report.document_only_items:
            db.table("undeclared_items").upsert_all(
                [_item_row(accession, item) for item in report.document_only_items],
                pk=("accession", "number"),
            )

    def record_enrichment_failure(self, accession: str, error: str, retry_at: datetime) -> None:
        with self.c.transaction() as db:
            db.execute(
                "UPDATE filings SET enrich_attempts = enrich_attempts + 1, enrich_error = ?, "
                "next_enrich_at = ? WHERE accession = ?",
                [error[:2000], iso(retry_at), accession],
            )

    # -- reading -------------------------------------------------------------
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
            exhibits=tuple(_exhibit(row) for row in exhibits),
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
                agreement = _agreement(row)
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

    def listing(
        self,
        *,
        cik: int | None = None,
        item: str | None = None,
        since: date | None = None,
        limit: int = 50,
        ciks: Sequence[int] | None = None,
    ) -> list[dict[str, Any]]:
        """Recorded filings, newest first (for `edgarwatch filings`); `cik`/`ciks`: naming
        any of these companies, in any role."""
        where: list[str] = ["1 = 1"]
        params: list[Any] = []
        wanted = [*([cik] if cik is not None else []), *(ciks or ())]
        if cik is not None or ciks is not None:
            where.append(_naming_any("accession", wanted))
            params.extend(wanted)
        if item is not None:
            where.append("accession IN (SELECT accession FROM items WHERE number = ?)")
            params.append(item)
        if since is not None:
            where.append("filed >= ?")
            params.append(since.isoformat())
        sql = (
            "SELECT accession, cik, company, form, filed, accepted_at, items, url, enrich_status "
            f"FROM filings WHERE {' AND '.join(where)} "
            "ORDER BY coalesce(julianday(accepted_at), julianday(filed)) DESC, accession DESC "
            "LIMIT ?"
        )
        rows = self.c.query(sql, [*params, limit])
        for row in rows:
            row["items"] = json.loads(row["items"] or "[]")
        return rows

    def detection_lags(self, since: datetime) -> tuple[list[float], list[float]]:
        """Seconds from acceptance, and from the first public moment, to first seen, for
        the news recorded since `since`: how fast the live sources found it."""
        rows = self.c.db.execute(
            "SELECT (julianday(recorded_at) - julianday(accepted_at)) * 86400.0, "
            "(julianday(recorded_at) - julianday(public_at)) * 86400.0 "
            "FROM filings WHERE notify = 'news' AND recorded_at >= ?",
            [iso(since)],
        ).fetchall()
        accepted = sorted(max(0.0, r[0]) for r in rows if r[0] is not None)
        public = sorted(max(0.0, r[1]) for r in rows if r[1] is not None)
        return accepted, public

    def count_recorded_since(self, since: datetime) -> int:
        row = self.c.db.execute(
            "SELECT count(*) FROM filings WHERE recorded_at >= ?", [iso(since)]
        ).fetchone()
        return int(row[0])

    def search(
        self,
        query: str,
        *,
        item: str | None = None,
        since: date | None = None,
        limit: int = 20,
        ciks: Sequence[int] | None = None,
    ) -> list[dict[str, Any]]:
        """Ranked full-text search over item texts, with a highlighted snippet.

        `query` is FTS5 syntax (`quote_search` turns what a person types into
        one); a query FTS5 cannot read raises SearchSyntaxError. `ciks`: only
        filings naming one of these companies (any role). The index stems
        English words (m009: porter), so "royalty" finds "royalties".
        """
        where: list[str] = ["items_fts MATCH ?"]
        params: list[Any] = [query]
        if item:
            where.append("items.number = ?")
            params.append(item)
        if since:
            where.append("filings.filed >= ?")
            params.append(since.isoformat())
        if ciks is not None:
            where.append(_naming_any("filings.accession", ciks))
            params.extend(ciks)
        sql = (
            "SELECT filings.accession, filings.company, filings.cik, filings.form, filings.filed, "
            "filings.url, items.number, items.title, "
            "snippet(items_fts, 1, '[', ']', ' … ', 24) AS snippet, bm25(items_fts) AS rank "
            "FROM items_fts JOIN items ON items.rowid = items_fts.rowid "
            "JOIN filings ON filings.accession = items.accession "
            f"WHERE {' AND '.join(where)} ORDER BY rank LIMIT ?"
        )
        try:
            return self.c.query(sql, [*params, limit])
        except sqlite3.OperationalError as exc:
            raise SearchSyntaxError(f"cannot search for {query!r}: {exc}") from None

    def quote_search(self, words: str) -> str:
        """What a person typed as an FTS5 query (`fts_query`)."""
        return fts_query(words)

    # -- one filing in full (`edgarwatch show`) ---------------------------------
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
            key=_by_number,
        )
        filing["undeclared_items"] = sorted(
            self.c.query(
                "SELECT number, title, text FROM undeclared_items WHERE accession = ?", [accession]
            ),
            key=_by_number,
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


def fts_query(text: str) -> str:
    """What a person typed, as an FTS5 query that matches every word or phrase in it.

    Each word becomes a quoted FTS5 string (quotes doubled, sqlite.org/fts5.html
    "FTS5 Strings"), so `AT&T`, `foo-bar`, `a:b` or a lone `NOT` are searched
    for, not read as syntax; `"…"` keeps a phrase together; a trailing `*`
    stays a prefix query (`licens*` finds license, licensing, licensee).
    """
    terms = []
    for match in re.finditer(r'"([^"]*)"(\*?)|(\S+)', text):
        phrase, star, word = match.groups()
        body = phrase if word is None else word.replace('"', "")
        star = star or ("*" if word and word.endswith("*") else "")
        body = body.rstrip("*").strip() if word else body.strip()
        if body:
            terms.append('"' + body.replace('"', '""') + '"' + star)
    return " ".join(terms)


def _by_number(row: dict[str, Any]) -> tuple[int, int]:
    return sort_key(row["number"])


def _naming_any(column: str, ciks: Sequence[int]) -> str:
    """SQL (bind `ciks` after it): the filing in `column` names one of `ciks`, any role."""
    if not ciks:
        return "0 = 1"
    marks = ",".join("?" * len(ciks))
    return f"{column} IN (SELECT accession FROM filing_companies WHERE cik IN ({marks}))"


# -- rows ----------------------------------------------------------------------


def _filing_row(filing: Filing, source: str, policy: NotifyPolicy, priority: int) -> dict[str, Any]:
    return {
        "accession": filing.accession,
        "cik": filing.cik,
        "company": filing.company,
        "form": filing.form,
        "filed": filing.filed.isoformat() if filing.filed else None,
        "accepted_at": filing.accepted_at.isoformat() if filing.accepted_at else None,
        "items": json.dumps(_ordered(filing.items)),
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


def _fill_period(db: Database, filing: Filing) -> None:
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


def _insert_companies(db: Database, accession: str, companies: Iterable[Company]) -> None:
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


def _settle_filer(db: Database, accession: str) -> None:
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


def _insert_declared_items(db: Database, accession: str, numbers: Iterable[str]) -> None:
    db.table("items").insert_all(
        [
            {"accession": accession, "number": n, "title": title_for(n), "text": None}
            for n in numbers
        ],
        ignore=True,
    )


def _insert_notifications(
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


def _read_at_last(
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


def _item_row(accession: str, item: Item) -> dict[str, Any]:
    return {"accession": accession, "number": item.number, "title": item.title, "text": item.text}


def _write_agreements(db: Database, accession: str, report: FilingReport) -> None:
    """The report's agreements replace whatever was recorded for the filing before."""
    db.execute("DELETE FROM agreement_parties WHERE accession = ?", [accession])
    db.execute("DELETE FROM agreements WHERE accession = ?", [accession])
    rows: list[dict[str, Any]] = []
    parties: list[dict[str, Any]] = []
    for item in report.items + report.document_only_items:
        for position, agreement in enumerate(item.agreements):
            rows.append(_agreement_row(accession, item.number, position, agreement))
            parties += [
                {
                    "accession": accession,
                    "item": item.number,
                    "position": position,
                    "name": party.name,
                    "role": party.role,
                    "short_name": party.short_name,
                    "normalized_name": party_key(party.name),
                }
                for party in agreement.parties
            ]
    if rows:
        db.table("agreements").insert_all(rows, replace=True)
    if parties:
        db.table("agreement_parties").insert_all(parties)


def _agreement_row(
    accession: str, number: str, position: int, agreement: Agreement
) -> dict[str, Any]:
    data = agreement.to_json()
    return {
        "accession": accession,
        "item": number,
        "position": position,
        "type": agreement.type,
        "amendment": int(agreement.amendment),
        "title": agreement.title,
        "date": data["date"],
        "term": agreement.term,
        "headline": headline(agreement),
        "exhibit": agreement.exhibit,
        "parties": json.dumps(data["parties"], ensure_ascii=False),
        "amounts": json.dumps(data["amounts"], ensure_ascii=False),
        "evidence": json.dumps(data["evidence"]),
    }


def _agreement(row: dict[str, Any]) -> Agreement:
    return Agreement.from_json(
        {
            "type": row["type"],
            "title": row["title"],
            "amendment": bool(row["amendment"]),
            "date": row["date"],
            "term": row["term"],
            "parties": json.loads(row["parties"] or "[]"),
            "amounts": json.loads(row["amounts"] or "[]"),
            "exhibit": row["exhibit"],
            "evidence": json.loads(row["evidence"] or "{}"),
        }
    )


def _exhibit_row(accession: str, exhibit: Exhibit) -> dict[str, Any]:
    return {
        "accession": accession,
        "document": exhibit.document,
        "sequence": exhibit.sequence,
        "type": exhibit.type,
        "description": exhibit.description,
        "url": exhibit.url,
        "size": exhibit.size,
    }


def _exhibit(row: dict[str, Any]) -> Exhibit:
    return Exhibit(
        type=row["type"],
        document=row["document"],
        url=row["url"],
        description=row["description"] or "",
        sequence=row["sequence"],
        size=row["size"],
    )


def _ordered(numbers: Iterable[str]) -> list[str]:
    return sorted(dict.fromkeys(numbers), key=sort_key)
