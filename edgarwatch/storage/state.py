"""The daemon's memory: where the feed was read to, health marks, seen accessions, watchlist.

Every key of the `state` table (values are text) is read and written here,
through a named accessor; no other module knows a key:

* `baseline_at`, `feed_cursor` — the `FeedCursor`: when this database first
  read the feed (nothing accepted before it is notified) and the newest
  acceptance time the fast tier has seen; `catch_up_due` — the fast tier saw a
  gap. All three are saved together, in one transaction (`save_feed_cursor`);
* `last_reconcile_ok_at` — the last successful catch-up (`catch_up_done`);
* `last_poll_ok_at`, `poll_status` — the last successful poll, and the last
  poll's outcome in one line (`poll_succeeded`, `log_cycle`);
* `sec_blocked_until`, `sec_block_reason` — an SEC 403 pause (`SecBlock`);
* `tickers_fetched_at` — when company_tickers.json was last asked for;
* `daily_index_done:YYYYMMDD` — a day's master index has been read.

It also keeps the accessions the feed has shown (`seen`), the ticker cache
(`tickers`) and the cycle log (`polls`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from edgarwatch.company import Ticker
from edgarwatch.filing import Filing
from edgarwatch.storage.db import Connections
from edgarwatch.storage.timefmt import iso, parse, utc_now

POLLS_KEPT = timedelta(days=30)
"""How long the cycle log (`polls`) remembers a cycle."""

_UPSERT = (
    "INSERT INTO state (key, value) VALUES (?, ?) "
    "ON CONFLICT(key) DO UPDATE SET value = excluded.value"
)


@dataclass(frozen=True)
class FeedCursor:
    """How far the fast tier has read the feed."""

    baseline_at: datetime | None = None
    """When this database first read the feed; None: the first poll is still to come."""
    position: datetime | None = None
    """The newest acceptance time seen on the feed."""


@dataclass(frozen=True)
class SecBlock:
    """An SEC 403 pause: no request until `until`."""

    until: datetime
    reason: str


@dataclass(frozen=True)
class Audit:
    """One filing day's 8-Ks in EDGAR's daily index against what the live sources showed."""

    day: date
    total: int
    missed: int
    """In the index, never shown by the poll, the sweep or full-text search."""
    found_by: dict[str, int]
    """How many each source showed first (`feed` is the poll: on time)."""

    def describe(self) -> str:
        late = ", ".join(f"{n} by {s}" for s, n in sorted(self.found_by.items()) if s != "feed")
        return (
            f"audit of {self.day}: {self.total} 8-K(s) in EDGAR's daily index, "
            f"{self.found_by.get('feed', 0)} found by the poll"
            + (f", found late: {late}" if late else "")
            + f", missed by every live source: {self.missed}"
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "day": self.day.isoformat(),
                "total": self.total,
                "missed": self.missed,
                "found_by": self.found_by,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Audit:
        data = json.loads(text)
        return cls(date.fromisoformat(data["day"]), data["total"], data["missed"], data["found_by"])


SEEN_KEEP = timedelta(days=7)
"""How far back `seen` must reach: the feed's ~1 business day, with a long weekend to spare."""


@dataclass(frozen=True)
class SeenPruned:
    """What `prune_seen` did: accessions forgotten, and how many are still remembered."""

    forgotten: int
    kept: int


class State:
    def __init__(self, connections: Connections) -> None:
        self.c = connections

    # -- the fast tier's cursor ------------------------------------------------
    def feed_cursor(self) -> FeedCursor:
        return FeedCursor(self._time("baseline_at"), self._time("feed_cursor"))

    def save_feed_cursor(self, cursor: FeedCursor, *, catch_up_due: bool = False) -> None:
        """Save the cursor (and, when the feed showed a gap, that a catch-up is due) at once."""
        values = {"baseline_at": cursor.baseline_at, "feed_cursor": cursor.position}
        with self.c.transaction() as db:
            for key, moment in values.items():
                db.execute(_UPSERT, [key, iso(moment) if moment else None])
            if catch_up_due:
                db.execute(_UPSERT, ["catch_up_due", "1"])

    # -- the catch-up tier -------------------------------------------------------
    def catch_up_due(self) -> bool:
        return bool(self._get("catch_up_due"))

    def last_catch_up(self) -> datetime | None:
        return self._time("last_reconcile_ok_at")

    def catch_up_done(self, started_at: datetime) -> None:
        """A catch-up that started at `started_at` succeeded: nothing before it is missing."""
        with self.c.transaction() as db:
            db.execute(_UPSERT, ["last_reconcile_ok_at", iso(started_at)])
            db.execute(_UPSERT, ["catch_up_due", None])

    def save_audit(self, audit: Audit) -> None:
        self._put("last_audit", audit.to_json())

    def last_audit(self) -> Audit | None:
        text = self._get("last_audit")
        return Audit.from_json(text) if text else None

    def search_total(self, day: date) -> int | None:
        """How many hits full-text search last listed for filing day `day` (read in full)."""
        text = self._get("efts_total")
        if not text or not text.startswith(f"{day.isoformat()}:"):
            return None
        return int(text.split(":", 1)[1])

    def save_search_total(self, day: date, total: int) -> None:
        self._put("efts_total", f"{day.isoformat()}:{total}")

    def submissions_compared(self) -> date | None:
        """The day each watched company's submissions JSON was last compared."""
        text = self._get("submissions_compared_on")
        return date.fromisoformat(text) if text else None

    def mark_submissions_compared(self, day: date) -> None:
        self._put("submissions_compared_on", day.isoformat())

    def daily_index_read(self, day: date) -> bool:
        return bool(self._get(f"daily_index_done:{day:%Y%m%d}"))

    def mark_daily_index_read(self, day: date) -> None:
        self._put(f"daily_index_done:{day:%Y%m%d}", "1")

    # -- health ----------------------------------------------------------------------
    def last_poll_ok(self) -> datetime | None:
        return self._time("last_poll_ok_at")

    def poll_succeeded(self, at: datetime) -> None:
        self._put("last_poll_ok_at", iso(at))

    def poll_status(self) -> str | None:
        """The last poll's outcome, one line (the systemd status shows the same)."""
        return self._get("poll_status")

    def sec_block(self) -> SecBlock | None:
        """The last SEC pause (it may have ended: compare `until` with now)."""
        until = self._time("sec_blocked_until")
        return SecBlock(until, self._get("sec_block_reason") or "") if until else None

    def save_sec_block(self, block: SecBlock) -> None:
        with self.c.transaction() as db:
            db.execute(_UPSERT, ["sec_blocked_until", iso(block.until)])
            db.execute(_UPSERT, ["sec_block_reason", block.reason])

    # -- key/value ------------------------------------------------------------------
    def _get(self, key: str) -> str | None:
        row = self.c.db.execute("SELECT value FROM state WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0]) if row[0] is not None else None

    def _put(self, key: str, value: str | None) -> None:
        with self.c.transaction() as db:
            db.execute(_UPSERT, [key, value])

    def _time(self, key: str) -> datetime | None:
        return parse(self._get(key))

    # -- accessions the feed has shown ------------------------------------------
    def unseen(self, accessions: Sequence[str]) -> set[str]:
        """Those of `accessions` no live source has shown yet."""
        wanted = list(dict.fromkeys(accessions))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.c.db.execute(
                f"SELECT accession FROM seen WHERE accession IN ({marks})", chunk
            )
            found.update(row[0] for row in rows)
        return set(wanted) - found

    def seen_sources(self, accessions: Sequence[str]) -> dict[str, int]:
        """How many of `accessions` each source showed first."""
        counts: dict[str, int] = {}
        for start in range(0, len(accessions), 500):
            chunk = list(accessions[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self.c.db.execute(
                f"SELECT coalesce(source, 'feed'), count(*) FROM seen WHERE accession IN ({marks}) "
                "GROUP BY 1",
                chunk,
            )
            for source, count in rows:
                counts[source] = counts.get(source, 0) + count
        return counts

    def seen_since(self, since: datetime) -> dict[str, int]:
        """Accessions first shown since `since`, counted by the source that showed them."""
        rows = self.c.db.execute(
            "SELECT coalesce(source, 'feed'), count(*) FROM seen WHERE seen_at >= ? GROUP BY 1",
            [iso(since)],
        )
        return {str(source): int(count) for source, count in rows}

    def seen_of(self, accessions: Sequence[str]) -> set[str]:
        """Those of `accessions` a live source has already shown."""
        return set(accessions) - self.unseen(accessions)

    def seen_count(self) -> int:
        return int(self.c.db.execute("SELECT count(*) FROM seen").fetchone()[0])

    def mark_seen(self, filings: Iterable[Filing], source: str | None = None) -> None:
        """Remember accessions a source showed (the first source to show one is kept)."""
        now = iso(utc_now())
        rows = [
            {
                "accession": f.accession,
                "accepted_at": f.accepted_at.isoformat() if f.accepted_at else None,
                "seen_at": now,
                "source": source,
            }
            for f in filings
        ]
        if rows:
            with self.c.transaction() as db:
                db.table("seen").insert_all(rows, ignore=True)

    def forget_seen_before(self, moment: datetime) -> int:
        """Forget accessions first seen before `moment` (the catch-up prunes, so `seen`
        holds about a week of the feed, not every accession ever shown). Returns how
        many were forgotten."""
        return self.prune_seen(moment).forgotten

    def prune_seen(self, before: datetime) -> SeenPruned:
        """Forget accessions the feed can no longer show: first seen before `before`.

        The feed reaches back about one business day (EDGAR.md), so a cut a week
        back (`SEEN_KEEP`) outlasts any long weekend. It goes by when an accession
        was *seen*, not accepted: an old filing EDGAR posts late is kept as long as
        a new one. One shown again after the cut is recorded once all the same
        (filings are keyed by accession).
        """
        with self.c.transaction() as db:
            forgotten = db.execute("DELETE FROM seen WHERE seen_at < ?", [iso(before)]).rowcount
            kept = db.execute("SELECT count(*) FROM seen").fetchone()[0]
        return SeenPruned(forgotten=forgotten, kept=int(kept))

    # -- tickers cache -------------------------------------------------------------
    def replace_tickers(self, tickers: Sequence[Ticker]) -> None:
        with self.c.transaction() as db:
            db.execute("DELETE FROM tickers")
            db.table("tickers").insert_all(
                [{"ticker": t.ticker, "cik": t.cik, "name": t.name} for t in tickers],
                ignore=True,
            )
            db.execute(_UPSERT, ["tickers_fetched_at", iso(utc_now())])

    def tickers_fetched_at(self) -> datetime | None:
        return self._time("tickers_fetched_at")

    def tickers_checked(self, at: datetime) -> None:
        """company_tickers.json was asked for (and kept): ask again a day after `at`."""
        self._put("tickers_fetched_at", iso(at))

    def tickers(self) -> list[Ticker]:
        return [Ticker(**row) for row in self.c.query("SELECT ticker, cik, name FROM tickers")]

    def ciks_for_ticker(self, ticker: str) -> list[int]:
        """The CIK(s) a ticker names: company_tickers.json's, and the watched list's."""
        rows = self.c.db.execute(
            "SELECT cik FROM tickers WHERE ticker = ? UNION SELECT cik FROM watched WHERE ticker = ?",
            [ticker, ticker],
        )
        return sorted(int(row[0]) for row in rows)

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
        status_line: str | None = None,
    ) -> None:
        """Log one cycle (of each kind, the last 10,000 of the last `POLLS_KEPT` are
        kept); a poll's `status_line` becomes `poll_status`."""
        with self.c.transaction() as db:
            if status_line is not None:
                db.execute(_UPSERT, ["poll_status", status_line])
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
                "DELETE FROM polls WHERE kind = ? AND (started_at < ? OR id < "
                "(SELECT max(id) - 10000 FROM polls WHERE kind = ?))",
                [kind, iso(started_at - POLLS_KEPT), kind],
            )

    def last_cycle(self, kind: str) -> dict[str, Any] | None:
        rows = self.c.query("SELECT * FROM polls WHERE kind = ? ORDER BY id DESC LIMIT 1", [kind])
        return rows[0] if rows else None
