"""The daemon's memory: cursor and timestamps, accessions seen, the watchlist, tickers.

Keys of the `state` table (values are text):

* `feed_cursor` — the newest acceptance time the fast tier has seen;
* `baseline_at` — when this database first read the feed (nothing accepted
  before it is notified);
* `last_poll_ok_at`, `last_reconcile_at`, `last_reconcile_ok_at`;
* `poll_status` — the last poll's outcome, one line;
* `sec_blocked_until`, `sec_block_reason` — an SEC 403 pause in force;
* `tickers_fetched_at`; `daily_index_done:YYYYMMDD`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from edgarwatch.company import Ticker
from edgarwatch.filing import Filing
from edgarwatch.storage.db import Connections
from edgarwatch.storage.timefmt import iso, parse, utc_now


class State:
    def __init__(self, connections: Connections) -> None:
        self.c = connections

    # -- key/value -------------------------------------------------------------
    def get(self, key: str) -> str | None:
        row = self.c.db.execute("SELECT value FROM state WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0]) if row[0] is not None else None

    def put(self, key: str, value: str | None) -> None:
        with self.c.transaction() as db:
            db.execute(
                "INSERT INTO state (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value],
            )

    def get_time(self, key: str) -> datetime | None:
        return parse(self.get(key))

    def set_time(self, key: str, moment: datetime | None) -> None:
        self.put(key, iso(moment) if moment else None)

    # -- accessions the feed has shown ------------------------------------------
    def unseen(self, accessions: Sequence[str]) -> set[str]:
        if not accessions:
            return set()
        marks = ",".join("?" * len(accessions))
        rows = self.c.db.execute(
            f"SELECT accession FROM seen WHERE accession IN ({marks})",
            list(accessions),
        )
        return set(accessions) - {row[0] for row in rows}

    def mark_seen(self, filings: Iterable[Filing]) -> None:
        now = iso(utc_now())
        rows = [
            {
                "accession": f.accession,
                "accepted_at": f.accepted_at.isoformat() if f.accepted_at else None,
                "seen_at": now,
            }
            for f in filings
        ]
        if rows:
            with self.c.transaction() as db:
                db.table("seen").insert_all(rows, ignore=True)

    def forget_seen_before(self, moment: datetime) -> int:
        with self.c.transaction() as db:
            return db.execute("DELETE FROM seen WHERE seen_at < ?", [iso(moment)]).rowcount

    # -- tickers cache -------------------------------------------------------------
    def replace_tickers(self, tickers: Sequence[Ticker]) -> None:
        with self.c.transaction() as db:
            db.execute("DELETE FROM tickers")
            db.table("tickers").insert_all(
                [{"ticker": t.ticker, "cik": t.cik, "name": t.name} for t in tickers],
                ignore=True,
            )
            db.execute(
                "INSERT INTO state (key, value) VALUES ('tickers_fetched_at', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [iso(utc_now())],
            )

    def tickers(self) -> list[Ticker]:
        return [Ticker(**row) for row in self.c.query("SELECT ticker, cik, name FROM tickers")]

    def ticker_count(self) -> int:
        return int(self.c.db.execute("SELECT count(*) FROM tickers").fetchone()[0])

    # -- the resolved watchlist --------------------------------------------------------
    def watched(self) -> dict[int, dict[str, Any]]:
        return {row["cik"]: row for row in self.c.query("SELECT * FROM watched")}

    def set_watched(self, companies: dict[int, tuple[str | None, str | None]]) -> list[int]:
        """Store the resolved watchlist; return the CIKs that were not watched before."""
        now = iso(utc_now())
        with self.c.transaction() as db:
            before = {row[0] for row in db.execute("SELECT cik FROM watched")}
            for cik, (ticker, name) in companies.items():
                db.execute(
                    "INSERT INTO watched (cik, ticker, name, added_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(cik) DO UPDATE SET ticker = excluded.ticker, "
                    "name = coalesce(excluded.name, watched.name)",
                    [cik, ticker, name, now],
                )
            gone = before - set(companies)
            for cik in gone:
                db.execute("DELETE FROM watched WHERE cik = ?", [cik])
        return sorted(set(companies) - before)

    def watched_since(self, ciks: Iterable[int]) -> datetime | None:
        """When the earliest of these companies started being watched (None: none is)."""
        wanted = list(ciks)
        if not wanted:
            return None
        marks = ",".join("?" * len(wanted))
        row = self.c.db.execute(
            f"SELECT min(added_at) FROM watched WHERE cik IN ({marks})",
            wanted,
        ).fetchone()
        return parse(row[0])

    def mark_caught_up(self, cik: int) -> None:
        with self.c.transaction() as db:
            db.execute("UPDATE watched SET caught_up_at = ? WHERE cik = ?", [iso(utc_now()), cik])

    def not_caught_up(self) -> list[int]:
        rows = self.c.db.execute("SELECT cik FROM watched WHERE caught_up_at IS NULL")
        return [row[0] for row in rows]

    # -- poll log ------------------------------------------------------------------
    def log_cycle(
        self,
        kind: str,
        started_at: datetime,
        *,
        ok: bool,
        requests: int,
        new_filings: int,
        error: str | None = None,
    ) -> None:
        with self.c.transaction() as db:
            db.table("polls").insert(
                {
                    "kind": kind,
                    "started_at": iso(started_at),
                    "finished_at": iso(utc_now()),
                    "ok": int(ok),
                    "requests": requests,
                    "new_filings": new_filings,
                    "error": error,
                }
            )
            db.execute(
                "DELETE FROM polls WHERE kind = ? AND id < "
                "(SELECT max(id) - 10000 FROM polls WHERE kind = ?)",
                [kind, kind],
            )

    def last_cycle(self, kind: str) -> dict[str, Any] | None:
        rows = self.c.query("SELECT * FROM polls WHERE kind = ? ORDER BY id DESC LIMIT 1", [kind])
        return rows[0] if rows else None
