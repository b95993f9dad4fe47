"""Digests and alarms: their outbox (`messages`), the digest schedule's memory, alarm states.

**Delivery** is the notifications' (`outbox.py`), at least once: a dispatcher
claims a due row with a conditional UPDATE, sends, and only then marks it
sent; a crash between the two leaves it pending, its claim is released at the
next start (or when its lease runs out) and it is sent again — one duplicate
at most, never a loss.

**Exactly once a day** comes from keys, not from timing. A digest is one row
of `digests` per (channel, day) and, when it has something to say, one row of
`messages` keyed `digest:<day>`; both, and the `digest_filings` it lists, are
written in one transaction that inserts nothing when the day's row exists
(`create_digest`). A job that runs twice, two processes, a restart after the
digest: the second insert finds the row and does nothing.

**An alarm is raised once and cleared once**: `alarms` keeps each alarm's
state; raising is a conditional UPDATE from `clear` (or the first INSERT) and
the message `alarm:<name>:raised:<when>` in the same transaction, clearing a
conditional UPDATE from `raised` and `alarm:<name>:cleared:<when raised>`. A
restart reads the state back: it neither says a raised alarm again nor
forgets to clear it.
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlite_utils import Database

from edgarwatch.storage.db import Connections
from edgarwatch.storage.outbox import CLAIM_LEASE, owner_alive
from edgarwatch.storage.readonly import where_equal
from edgarwatch.storage.timefmt import iso, parse, utc_now

LIVE_SOURCES = ("feed", "sweep", "efts")
"""Sources that show what EDGAR publishes as it does (`seen.source`; NULL is the feed)."""
CUT_OFF_MARGIN = timedelta(minutes=10)
"""A digest looks this far before the previous one's cut-off (times are stored to the
second); `digest_filings` keeps it from listing a filing twice."""
MAX_DIGEST_FILINGS = 2000
"""A digest lists at most this many filings (a whole-market week); the rest are counted."""


@dataclass(frozen=True)
class Outgoing:
    """A message to queue: `key` makes it unique per channel; `content` is its JSON."""

    key: str
    kind: str
    title: str
    content: str


@dataclass(frozen=True)
class MessageRow:
    channel: str
    key: str
    kind: str
    content: str
    delivery_id: str
    attempts: int
    created_at: datetime


@dataclass(frozen=True)
class DigestRecord:
    """One day's digest of one channel, as the schedule remembers it."""

    channel: str
    day: date
    due_at: datetime
    created_at: datetime
    outcome: str
    filings: int
    since: datetime | None = None


@dataclass(frozen=True)
class DigestFiling:
    """A filing as a digest lists it."""

    accession: str
    company: str
    cik: int
    form: str
    items: tuple[tuple[str, str], ...]
    """(number, title) of each item it reports."""
    accepted_at: datetime | None
    filed: date | None
    url: str
    headline: str
    amends: str | None
    amends_filed: date | None


@dataclass(frozen=True)
class AlarmState:
    name: str
    state: str
    raised_at: datetime | None
    cleared_at: datetime | None
    detail: str
    channel: str | None

    @property
    def raised(self) -> bool:
        return self.state == "raised"


def queue_message(db: Database, channel: str, message: Outgoing) -> bool:
    """Insert a message row (inside the caller's transaction); False when its key exists.

    Its times are the database's own clock (`utc_now`), as every row's are."""
    now = utc_now()
    cursor = db.execute(
        "INSERT INTO messages (channel, key, kind, title, content, delivery_id, status, "
        "attempts, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?) "
        "ON CONFLICT (channel, key) DO NOTHING",
        [
            channel,
            message.key,
            message.kind,
            message.title,
            message.content,
            str(uuid.uuid4()),
            iso(now),
            iso(now),
        ],
    )
    return cursor.rowcount > 0


class Messages:
    """The outbox of digests and alarms (the `messages` table)."""

    def __init__(self, connections: Connections) -> None:
        self.c = connections

    def queue(self, channel: str, message: Outgoing) -> bool:
        with self.c.transaction() as db:
            return queue_message(db, channel, message)

    def claim_due(
        self, now: datetime, owner: str, *, channel: str | None = None, limit: int = 1
    ) -> list[MessageRow]:
        """Atomically take up to `limit` due pending rows (oldest first) for `owner`."""
        params: list[Any] = [owner, iso(now + CLAIM_LEASE), iso(now), iso(now)]
        clause = ""
        if channel is not None:
            clause = "AND channel = ? "
            params.append(channel)
        with self.c.transaction() as db:
            rows = db.execute(
                "UPDATE messages SET claimed_by = ?, claimed_until = ? "
                "WHERE rowid IN (SELECT rowid FROM messages WHERE status = 'pending' "
                "AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) "
                f"{clause}ORDER BY created_at, rowid LIMIT ?) "
                "RETURNING channel, key, kind, content, delivery_id, attempts, created_at, rowid",
                [*params, limit],
            ).fetchall()
        rows.sort(key=lambda r: (r[6], r[7]))
        return [
            MessageRow(r[0], r[1], r[2], r[3], r[4], r[5], datetime.fromisoformat(r[6]))
            for r in rows
        ]

    def due_channels(self, now: datetime) -> list[str]:
        rows = self.c.db.execute(
            "SELECT DISTINCT channel FROM messages WHERE status = 'pending' "
            "AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)",
            [iso(now), iso(now)],
        )
        return [row[0] for row in rows]

    def due_count(self, channel: str, now: datetime) -> int:
        row = self.c.db.execute(
            "SELECT count(*) FROM messages WHERE status = 'pending' AND channel = ? "
            "AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)",
            [channel, iso(now), iso(now)],
        ).fetchone()
        return int(row[0])

    def next_due(self, channel: str) -> datetime | None:
        row = self.c.db.execute(
            "SELECT min(max(next_attempt_at, coalesce(claimed_until, ''))) FROM messages "
            "WHERE status = 'pending' AND channel = ?",
            [channel],
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def mark_sent(self, row: MessageRow, now: datetime, note: str | None = None) -> None:
        """Accepted (`note`: what some recipients said, when others took it)."""
        self._update(
            row,
            "status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = ?",
            [iso(now), note],
        )

    def mark_retry(self, row: MessageRow, error: str, retry_at: datetime) -> None:
        self._update(
            row,
            "attempts = attempts + 1, last_error = ?, next_attempt_at = ?",
            [error[:2000], iso(retry_at)],
        )

    def mark_dead(self, row: MessageRow, error: str) -> None:
        self._update(
            row, "status = 'dead', attempts = attempts + 1, last_error = ?", [error[:2000]]
        )

    def _update(self, row: MessageRow, assignments: str, params: list[Any]) -> None:
        with self.c.transaction() as db:
            db.execute(
                f"UPDATE messages SET {assignments}, claimed_by = NULL, claimed_until = NULL "
                "WHERE channel = ? AND key = ?",
                [*params, row.channel, row.key],
            )

    def release_held(self, rows: Sequence[MessageRow], owner: str) -> int:
        """Give back rows `owner` still holds, untouched (see `Outbox.release_held`)."""
        released = 0
        with self.c.transaction() as db:
            for row in rows:
                released += db.execute(
                    "UPDATE messages SET claimed_by = NULL, claimed_until = NULL "
                    "WHERE channel = ? AND key = ? AND claimed_by = ? AND status = 'pending'",
                    [row.channel, row.key, owner],
                ).rowcount
        return released

    def release_dead_claims(self) -> int:
        """Free rows claimed by processes of this host that no longer run."""
        host = socket.gethostname()
        owners = self.c.db.execute(
            "SELECT DISTINCT claimed_by FROM messages WHERE claimed_by LIKE ?", [f"{host}:%"]
        ).fetchall()
        released = 0
        for (owner,) in owners:
            if owner_alive(owner):
                continue
            with self.c.transaction() as db:
                released += db.execute(
                    "UPDATE messages SET claimed_by = NULL, claimed_until = NULL "
                    "WHERE claimed_by = ?",
                    [owner],
                ).rowcount
        return released

    # -- for `status` and the alarms ---------------------------------------------
    def counts(self) -> dict[str, int]:
        row = self.c.db.execute(
            "SELECT sum(status = 'pending'), sum(status = 'dead') FROM messages"
        ).fetchone()
        return {"pending": row[0] or 0, "dead": row[1] or 0}

    def dead(self, kinds: Sequence[str]) -> list[dict[str, Any]]:
        marks = ",".join("?" * len(kinds))
        return self.c.query(
            "SELECT channel, kind, key, last_error FROM messages "
            f"WHERE status = 'dead' AND kind IN ({marks}) ORDER BY rowid",
            list(kinds),
        )

    def listing(self, *, limit: int = 50) -> list[dict[str, Any]]:
        return self.c.query(
            "SELECT channel, key, kind, title, status, attempts, last_error, created_at, sent_at "
            "FROM messages ORDER BY created_at DESC, rowid DESC LIMIT ?",
            [limit],
        )


class Digests:
    """The digest schedule's memory (`digests`) and what each digest listed."""

    def __init__(self, connections: Connections) -> None:
        self.c = connections

    def last(self, channel: str) -> DigestRecord | None:
        rows = self.c.query(
            "SELECT * FROM digests WHERE channel = ? ORDER BY due_at DESC LIMIT 1", [channel]
        )
        return _digest(rows[0]) if rows else None

    def of_day(self, channel: str, day: date) -> DigestRecord | None:
        rows = self.c.query(
            "SELECT * FROM digests WHERE channel = ? AND day = ?", [channel, day.isoformat()]
        )
        return _digest(rows[0]) if rows else None

    def candidates(
        self,
        channel: str,
        *,
        recorded_since: datetime,
        everyone: bool,
        notified_only: bool = False,
        limit: int = MAX_DIGEST_FILINGS,
    ) -> tuple[list[DigestFiling], int]:
        """News of watched companies (or that the party watch notified) recorded since
        `recorded_since` and in no digest of `channel` yet: (the first `limit` by
        acceptance time, how many there are in all)."""
        where = [
            "f.notify = 'news'",
            "f.recorded_at >= ?",
            "NOT EXISTS (SELECT 1 FROM digest_filings d WHERE d.channel = ? "
            "AND d.accession = f.accession)",
        ]
        params: list[Any] = [iso(recorded_since), channel]
        if not everyone:
            where.append(
                "(f.party_watch IS NOT NULL OR EXISTS (SELECT 1 FROM filing_companies c "
                "JOIN watched w ON w.cik = c.cik WHERE c.accession = f.accession))"
            )
        if notified_only:
            where.append("EXISTS (SELECT 1 FROM notifications n WHERE n.accession = f.accession)")
        condition = " AND ".join(where)
        (total,) = self.c.db.execute(
            f"SELECT count(*) FROM filings f WHERE {condition}", params
        ).fetchone()
        rows = self.c.query(
            "SELECT f.accession, f.company, f.cik, f.form, f.items, f.accepted_at, f.filed, f.url, "
            "f.amends, f.amends_filed, (SELECT a.headline FROM agreements a "
            "WHERE a.accession = f.accession AND a.headline IS NOT NULL AND a.headline != '' "
            "ORDER BY a.item, a.position LIMIT 1) AS headline "
            f"FROM filings f WHERE {condition} "
            "ORDER BY coalesce(julianday(f.accepted_at), julianday(f.filed)), f.accession LIMIT ?",
            [*params, limit],
        )
        return [self._filing(row) for row in rows], int(total)

    def _filing(self, row: dict[str, Any]) -> DigestFiling:
        titles = {
            str(r["number"]): str(r["title"] or "")
            for r in self.c.query(
                "SELECT number, title FROM items WHERE accession = ?", [row["accession"]]
            )
        }
        numbers = json.loads(row["items"] or "[]")
        return DigestFiling(
            accession=row["accession"],
            company=row["company"] or "",
            cik=int(row["cik"]),
            form=row["form"] or "",
            items=tuple((str(n), titles.get(str(n), "")) for n in numbers),
            accepted_at=parse(row["accepted_at"]),
            filed=date.fromisoformat(row["filed"]) if row["filed"] else None,
            url=row["url"] or "",
            headline=row["headline"] or "",
            amends=row["amends"],
            amends_filed=date.fromisoformat(row["amends_filed"]) if row["amends_filed"] else None,
        )

    def create(
        self,
        channel: str,
        *,
        day: date,
        due_at: datetime,
        since: datetime | None,
        outcome: str,
        accessions: Sequence[str],
        message: Outgoing | None,
    ) -> bool:
        """Record the day's digest of `channel` — its row, the filings it lists and its
        message — in one transaction; False (and nothing written) when that day's digest
        exists already. Its `created_at` (now, the clock `recorded_at` is written by) is
        the cut-off the next digest starts from."""
        now = utc_now()
        with self.c.transaction() as db:
            cursor = db.execute(
                "INSERT INTO digests (channel, day, due_at, since, created_at, outcome, filings, "
                "message_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (channel, day) DO NOTHING",
                [
                    channel,
                    day.isoformat(),
                    iso(due_at),
                    iso(since) if since else None,
                    iso(now),
                    outcome,
                    len(accessions),
                    message.key if message else None,
                ],
            )
            if cursor.rowcount == 0:
                return False
            db.conn.executemany(
                "INSERT OR IGNORE INTO digest_filings (channel, accession, day) VALUES (?, ?, ?)",
                [(channel, accession, day.isoformat()) for accession in accessions],
            )
            if message is not None:
                queue_message(db, channel, message)
        return True


class Alarms:
    """Each alarm's state, and what the alarm conditions read from the database."""

    def __init__(self, connections: Connections) -> None:
        self.c = connections

    def states(self) -> dict[str, AlarmState]:
        return {row["name"]: _alarm(row) for row in self.c.query("SELECT * FROM alarms")}

    def raised(self) -> list[AlarmState]:
        rows = self.c.query("SELECT * FROM alarms WHERE state = 'raised' ORDER BY raised_at")
        return [_alarm(row) for row in rows]

    def raise_alarm(
        self,
        name: str,
        *,
        at: datetime,
        detail: str,
        channel: str | None,
        message: Outgoing | None,
    ) -> bool:
        """Raise `name` unless it is raised; its message queued in the same transaction."""
        with self.c.transaction() as db:
            db.execute(
                "INSERT INTO alarms (name, state) VALUES (?, 'clear') ON CONFLICT (name) DO NOTHING",
                [name],
            )
            cursor = db.execute(
                "UPDATE alarms SET state = 'raised', raised_at = ?, cleared_at = NULL, "
                "detail = ?, channel = ? WHERE name = ? AND state != 'raised'",
                [iso(at), detail[:2000], channel, name],
            )
            if cursor.rowcount == 0:
                return False
            if message is not None and channel is not None:
                queue_message(db, channel, message)
        return True

    def clear_alarm(
        self,
        name: str,
        *,
        at: datetime,
        detail: str,
        channel: str | None,
        message: Outgoing | None,
    ) -> bool:
        """Clear `name` if it is raised; its message queued in the same transaction."""
        with self.c.transaction() as db:
            cursor = db.execute(
                "UPDATE alarms SET state = 'clear', cleared_at = ?, detail = ? "
                "WHERE name = ? AND state = 'raised'",
                [iso(at), detail[:2000], name],
            )
            if cursor.rowcount == 0:
                return False
            if message is not None and channel is not None:
                queue_message(db, channel, message)
        return True

    # -- what the conditions read ----------------------------------------------
    def newest_live_acceptance(self) -> datetime | None:
        """The newest acceptance time a live source (poll, sweep, full-text search) showed."""
        marks = ",".join("?" * len(LIVE_SOURCES))
        row = self.c.db.execute(
            "SELECT accepted_at FROM seen WHERE accepted_at IS NOT NULL "
            f"AND coalesce(source, 'feed') IN ({marks}) "
            "ORDER BY julianday(accepted_at) DESC LIMIT 1",
            list(LIVE_SOURCES),
        ).fetchone()
        return parse(row[0]) if row else None

    def dead(self) -> list[tuple[str, int, str]]:
        """(channel, how many, the last error) of dead notifications: what "notifications
        dead" is about. Dismissed rows are not dead; neither are digests and alarms (logged
        at error level and counted by `status`: no command dismisses them, and an alarm must
        not stay raised for want of one)."""
        rows = self.c.db.execute(
            "SELECT channel, count(*), (SELECT last_error FROM notifications n2 "
            "WHERE n2.channel = n.channel AND n2.status = 'dead' ORDER BY rowid DESC LIMIT 1) "
            "FROM notifications n WHERE status = 'dead' GROUP BY channel ORDER BY channel"
        ).fetchall()
        return [(str(channel), int(count), str(error or "")) for channel, count, error in rows]

    def oldest_pending(self) -> datetime | None:
        """When the oldest notification or digest still to be delivered was queued (alarm
        messages are left out: an alarm channel that is down must not feed on itself)."""
        row = self.c.db.execute(
            "SELECT min(created_at) FROM (SELECT coalesce(requeued_at, created_at) AS created_at "
            "FROM notifications WHERE status = 'pending' UNION ALL SELECT created_at "
            "FROM messages WHERE status = 'pending' AND kind = 'digest')"
        ).fetchone()
        return parse(row[0]) if row and row[0] else None


def _digest(row: dict[str, Any]) -> DigestRecord:
    return DigestRecord(
        channel=row["channel"],
        day=date.fromisoformat(row["day"]),
        due_at=datetime.fromisoformat(row["due_at"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        outcome=row["outcome"],
        filings=int(row["filings"] or 0),
        since=parse(row["since"]),
    )


def _alarm(row: dict[str, Any]) -> AlarmState:
    return AlarmState(
        name=row["name"],
        state=row["state"],
        raised_at=parse(row["raised_at"]),
        cleared_at=parse(row["cleared_at"]),
        detail=row["detail"] or "",
        channel=row["channel"],
    )


__all__ = [
    "CUT_OFF_MARGIN",
    "AlarmState",
    "Alarms",
    "DigestFiling",
    "DigestRecord",
    "Digests",
    "MessageRow",
    "Messages",
    "Outgoing",
    "queue_message",
]


def list_messages(
    db: Database, *, status: str | None = None, channel: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Digests and alarms sent or owed, newest first, for operators (`notifications
    --messages`); a read-only connection will do, and a database from before digests
    and alarms existed has none."""
    if not db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'messages'"
    ).fetchone():
        return []
    where, params = where_equal(status=status, channel=channel)
    cursor = db.execute(
        "SELECT substr(delivery_id, 1, 8) AS id, channel, kind, key, title, status, attempts, "
        f"last_error, created_at, next_attempt_at, sent_at FROM messages {where}"
        "ORDER BY created_at DESC, rowid DESC LIMIT ?",
        [*params, limit],
    )
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
