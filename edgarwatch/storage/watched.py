"""The resolved watchlist as the database keeps it: each watched company, since when,
and whether its recent history has been caught up (the `watched` table)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from edgarwatch.storage.db import Connections
from edgarwatch.storage.timefmt import iso, parse, utc_now


class WatchedCompanies:
    def __init__(self, connections: Connections) -> None:
        self.c = connections

    def all(self) -> dict[int, dict[str, Any]]:
        return {row["cik"]: row for row in self.c.query("SELECT * FROM watched")}

    def replace(
        self,
        companies: dict[int, tuple[str | None, str | None]],
        *,
        now: datetime | None = None,
    ) -> list[int]:
        """Store the resolved watchlist; return the CIKs that were not watched before
        (watched since `now`: a filing they make from then on is news)."""
        added_at = iso(now or utc_now())
        with self.c.transaction() as db:
            before = {row[0] for row in db.execute("SELECT cik FROM watched")}
            for cik, (ticker, name) in companies.items():
                db.execute(
                    "INSERT INTO watched (cik, ticker, name, added_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(cik) DO UPDATE SET ticker = excluded.ticker, "
                    "name = coalesce(excluded.name, watched.name)",
                    [cik, ticker, name, added_at],
                )
            gone = before - set(companies)
            for cik in gone:
                db.execute("DELETE FROM watched WHERE cik = ?", [cik])
        return sorted(set(companies) - before)

    def since(self, ciks: Iterable[int]) -> datetime | None:
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

    def caught_up_since(self, moment: datetime) -> set[int]:
        """Companies whose recent filings were read (`mark_caught_up`) at `moment` or later."""
        rows = self.c.db.execute(
            "SELECT cik FROM watched WHERE caught_up_at >= ?", [iso(moment)]
        ).fetchall()
        return {row[0] for row in rows}

    def not_caught_up(self) -> list[int]:
        rows = self.c.db.execute("SELECT cik FROM watched WHERE caught_up_at IS NULL")
        return [row[0] for row in rows]
