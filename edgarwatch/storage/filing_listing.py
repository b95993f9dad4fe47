"""Recorded filings listed and searched (`edgarwatch filings`, `edgarwatch search`),
and the detection figures (`/metrics`).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from edgarwatch.storage.db import SearchSyntaxError
from edgarwatch.storage.filing_reads import FilingReads
from edgarwatch.storage.timefmt import iso


class FilingListing(FilingReads):
    """Filings listed, searched and shown in full (`edgarwatch filings|search|show`), and the detection figures."""

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


def _naming_any(column: str, ciks: Sequence[int]) -> str:
    """SQL (bind `ciks` after it): the filing in `column` names one of `ciks`, any role."""
    if not ciks:
        return "0 = 1"
    marks = ",".join("?" * len(ciks))
    return f"{column} IN (SELECT accession FROM filing_companies WHERE cik IN ({marks}))"
