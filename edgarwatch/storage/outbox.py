"""The outbox: notification rows and their delivery state.

Delivery is at least once. A dispatcher *claims* due rows with a conditional
UPDATE (so two processes — the daemon and an operator's `edgarwatch poll` —
never send the same row at once), sends, and only then marks the row sent.
A crash between "sent" and "marked" leaves the row pending; its claim is
released at the next start (or when its lease runs out) and it is sent
again: one duplicate, never a loss. A clean stop releases every row it
still holds (`release_claims`).

A claim's owner names one process incarnation, not just a pid: host, boot
id, pid and the process's start time. A restarted container's daemon is
PID 1 again, and so is the one that died; with the pid alone its claims
would look alive and wait out the lease.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from edgarwatch.storage.db import Connections, StorageError
from edgarwatch.storage.readonly import where_equal
from edgarwatch.storage.timefmt import iso, utc_now

logger = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=5)
PROC = Path("/proc")


@dataclass(frozen=True)
class OutboxRow:
    accession: str
    channel: str
    rule: str
    items: tuple[str, ...]
    delivery_id: str
    attempts: int
    created_at: datetime
    recipients: tuple[str, ...] | None = None
    """The recipients still to receive it (email); None: everyone configured."""
    requeued_at: datetime | None = None
    """When an operator last retried it (the give-up age counts from then)."""


@dataclass(frozen=True)
class ChannelBacklog:
    """One channel's undelivered notifications: pending (with the oldest's queue time)
    and dead (not dismissed)."""

    channel: str
    pending: int
    oldest_pending: datetime | None
    dead: int


def process_owner() -> str:
    """Who holds a claim: `host:boot-id:pid:start-time`, one process incarnation.

    Where /proc is absent (no boot id or start time), `host:pid`, as before.
    """
    host = socket.gethostname()
    incarnation = _incarnation(os.getpid())
    if incarnation is None:
        return f"{host}:{os.getpid()}"
    return f"{host}:{incarnation}"


def _boot_id() -> str | None:
    try:
        return (PROC / "sys/kernel/random/boot_id").read_text().strip() or None
    except OSError:
        return None


def _start_time(pid: int) -> str | None:
    """Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()  # the command name may hold spaces and ')'
    return fields[19] if len(fields) > 19 else None


def _incarnation(pid: int) -> str | None:
    """`boot-id:pid:start-time` of a running process, or None without /proc."""
    boot, start = _boot_id(), _start_time(pid)
    return f"{boot}:{pid}:{start}" if boot and start else None


def owner_alive(owner: str) -> bool:
    """Does the process incarnation that wrote claim owner `owner` (one of this host's)
    still run? The one liveness rule for every claim (notifications, digests, alarms):
    the same boot, a running pid, and that pid's start time."""
    if owner == process_owner():
        return True
    parts = owner.split(":")
    if len(parts) == 4:  # host:boot:pid:start
        _, boot, pid, start = parts
        if not pid.isdigit() or boot != _boot_id():
            return False
        return _incarnation(int(pid)) == f"{boot}:{pid}:{start}"
    pid = parts[-1]  # host:pid, from a version before boot ids or a system without /proc
    if not pid.isdigit():
        return False
    if int(pid) == os.getpid():  # our pid, but not our owner string: an earlier incarnation
        return False
    return _running(int(pid))


class Outbox:
    def __init__(self, connections: Connections) -> None:
        self.c = connections

    def claim_due(
        self,
        now: datetime,
        owner: str,
        *,
        channel: str | None = None,
        limit: int = 20,
        waiting: bool = False,
    ) -> list[OutboxRow]:
        """Atomically take up to `limit` due pending rows (oldest first) for `owner`;
        `waiting`: rows waiting for their filing's read count as due (a summary)."""
        params: list[Any] = [owner, iso(now + CLAIM_LEASE), iso(now), iso(now)]
        channel_clause = ""
        if channel is not None:
            channel_clause = "AND channel = ? "
            params.append(channel)
        due = "(next_attempt_at <= ? OR waits_for_read = 1)" if waiting else "next_attempt_at <= ?"
        with self.c.transaction() as db:
            rows = db.execute(
                "UPDATE notifications SET claimed_by = ?, claimed_until = ? "
                "WHERE rowid IN (SELECT rowid FROM notifications WHERE status = 'pending' "
                f"AND {due} AND (claimed_until IS NULL OR claimed_until < ?) "
                f"{channel_clause}ORDER BY created_at, rowid LIMIT ?) "
                "RETURNING accession, channel, rule, items, delivery_id, attempts, created_at, "
                "recipients_pending, requeued_at, rowid",
                [*params, limit],
            ).fetchall()
        rows.sort(key=lambda r: (r[6], r[9]))  # RETURNING promises no order: oldest first
        return [
            OutboxRow(
                r[0],
                r[1],
                r[2],
                tuple(json.loads(r[3] or "[]")),
                r[4],
                r[5],
                datetime.fromisoformat(r[6]),
                tuple(json.loads(r[7])) if r[7] is not None else None,
                datetime.fromisoformat(r[8]) if r[8] else None,
            )
            for r in rows
        ]

    def due_channels(self, now: datetime) -> list[str]:
        """Channels with rows due, or waiting for their filing's read (a burst of those
        goes out as summaries without waiting)."""
        rows = self.c.db.execute(
            "SELECT DISTINCT channel FROM notifications WHERE status = 'pending' "
            "AND (next_attempt_at <= ? OR waits_for_read = 1) "
            "AND (claimed_until IS NULL OR claimed_until < ?)",
            [iso(now), iso(now)],
        )
        return [row[0] for row in rows]

    def due_count(self, channel: str, now: datetime) -> int:
        """Pending rows of `channel` that are due and unclaimed (a burst's size)."""
        row = self.c.db.execute(
            "SELECT count(*) FROM notifications WHERE status = 'pending' AND channel = ? "
            "AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)",
            [channel, iso(now), iso(now)],
        ).fetchone()
        return int(row[0])

    def waiting_count(self, channel: str, now: datetime) -> int:
        """Pending rows of `channel` not yet due because they wait for their filing's
        documents (`waits_for_read`): queued from what EDGAR declared, read next."""
        row = self.c.db.execute(
            "SELECT count(*) FROM notifications WHERE status = 'pending' AND channel = ? "
            "AND waits_for_read = 1 AND next_attempt_at > ? "
            "AND (claimed_until IS NULL OR claimed_until < ?)",
            [channel, iso(now), iso(now)],
        ).fetchone()
        return int(row[0])

    def next_due(self, channel: str) -> datetime | None:
        """When the next pending row of `channel` falls due (or its claim runs out)."""
        row = self.c.db.execute(
            "SELECT min(max(next_attempt_at, coalesce(claimed_until, ''))) FROM notifications "
            "WHERE status = 'pending' AND channel = ?",
            [channel],
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def release_held(self, rows: list[OutboxRow], owner: str) -> int:
        """Give back rows `owner` still holds, untouched; a row another has since claimed
        (after our lease ran out) or that was already settled is left alone."""
        released = 0
        with self.c.transaction() as db:
            for row in rows:
                released += db.execute(
                    "UPDATE notifications SET claimed_by = NULL, claimed_until = NULL "
                    "WHERE accession = ? AND channel = ? AND rule = ? AND claimed_by = ? "
                    "AND status = 'pending'",
                    [row.accession, row.channel, row.rule, owner],
                ).rowcount
        return released

    def mark_sent(self, row: OutboxRow, now: datetime) -> None:
        """Accepted. A row some recipient refused for good earlier stays `dead` (its
        last error names them), with `sent_at` saying the others have it."""
        self._update(
            row,
            "status = CASE WHEN recipients_refused IS NULL THEN 'sent' ELSE 'dead' END, "
            "sent_at = ?, attempts = attempts + 1, recipients_pending = NULL, waits_for_read = 0, "
            "last_error = CASE WHEN recipients_refused IS NULL THEN NULL ELSE last_error END",
            [iso(now)],
        )

    def mark_recipients(
        self,
        row: OutboxRow,
        *,
        pending: tuple[str, ...],
        refused: dict[str, str],
        error: str,
        retry_at: datetime | None,
        delivered_at: datetime | None,
    ) -> None:
        """Some recipients refused (email): retry `pending` alone at `retry_at` (None:
        give up on them), remember `refused` for good; `dead` once nobody is pending
        and someone was refused. `delivered_at`: when the others took it."""
        with self.c.transaction() as db:
            (known,) = db.execute(
                "SELECT recipients_refused FROM notifications "
                "WHERE accession = ? AND channel = ? AND rule = ?",
                [row.accession, row.channel, row.rule],
            ).fetchone()
            merged = {**json.loads(known or "{}"), **refused}
            status = "pending" if retry_at is not None and pending else "dead"
            db.execute(
                "UPDATE notifications SET status = ?, attempts = attempts + 1, last_error = ?, "
                "recipients_pending = ?, recipients_refused = ?, waits_for_read = 0, "
                "next_attempt_at = coalesce(?, next_attempt_at), "
                "sent_at = coalesce(sent_at, ?), claimed_by = NULL, claimed_until = NULL "
                "WHERE accession = ? AND channel = ? AND rule = ?",
                [
                    status,
                    error[:2000],
                    json.dumps(list(pending)) if pending else None,
                    json.dumps(merged) if merged else None,
                    iso(retry_at) if retry_at else None,
                    iso(delivered_at) if delivered_at else None,
                    row.accession,
                    row.channel,
                    row.rule,
                ],
            )

    def mark_retry(self, row: OutboxRow, error: str, retry_at: datetime) -> None:
        self._update(
            row,
            "attempts = attempts + 1, last_error = ?, next_attempt_at = ?, waits_for_read = 0",
            [error[:2000], iso(retry_at)],
        )

    def mark_dead(self, row: OutboxRow, error: str) -> None:
        self._update(
            row,
            "status = 'dead', attempts = attempts + 1, last_error = ?, waits_for_read = 0",
            [error[:2000]],
        )

    def release(self, row: OutboxRow) -> None:
        """Give a claimed row back untouched (its channel was skipped this cycle)."""
        self._update(row, "attempts = attempts", [])

    def _update(self, row: OutboxRow, assignments: str, params: list[Any]) -> None:
        with self.c.transaction() as db:
            db.execute(
                f"UPDATE notifications SET {assignments}, claimed_by = NULL, "
                "claimed_until = NULL WHERE accession = ? AND channel = ? AND rule = ?",
                [*params, row.accession, row.channel, row.rule],
            )

    def release_dead_claims(self, alive: set[str] | None = None) -> int:
        """Free rows claimed by processes of this host that no longer run.

        A claim is kept only when its owner is this exact live process: the
        same boot, a running pid, and that pid's start time (`alive`, when
        given, names the owners to keep instead). Other hosts' claims run
        out with their lease.
        """
        host = socket.gethostname()
        rows = self.c.db.execute(
            "SELECT DISTINCT claimed_by FROM notifications WHERE claimed_by LIKE ?",
            [f"{host}:%"],
        ).fetchall()
        released = 0
        for (owner,) in rows:
            if owner in alive if alive is not None else owner_alive(owner):
                continue
            released += self.release_claims(owner)
        return released

    def release_claims(self, owner: str) -> int:
        """Give back every pending row `owner` holds (a clean stop); return how many.

        Called on the way out: a database it cannot write is logged, not
        raised, and the rows' lease frees them later.
        """
        try:
            with self.c.transaction() as db:
                return db.execute(
                    "UPDATE notifications SET claimed_by = NULL, claimed_until = NULL "
                    "WHERE claimed_by = ?",
                    [owner],
                ).rowcount
        except (sqlite3.Error, StorageError) as exc:
            logger.warning("could not release the notifications claimed by %s: %s", owner, exc)
            return 0

    # -- for operators (`edgarwatch notifications`) ----------------------------
    def listing(
        self, *, status: str | None = None, channel: str | None = None, limit: int = 50
    ) -> list[dict[str, Any]]:
        return list_notifications(self.c.db, status=status, channel=channel, limit=limit)

    def find(self, short_id: str) -> list[dict[str, Any]]:
        """Rows whose delivery id starts with `short_id` (the listing's ID column)."""
        prefix = short_id.strip().lower()
        if not prefix or not all(ch in "0123456789abcdef-" for ch in prefix):
            return []
        return self.c.query(
            "SELECT delivery_id, status, channel, accession FROM notifications "
            "WHERE delivery_id LIKE ? ORDER BY rowid",
            [prefix + "%"],
        )

    def requeue(
        self, now: datetime, *, delivery_id: str | None = None, channel: str | None = None
    ) -> list[str]:
        """Dead → pending, due now, attempts kept (`delivery_id` None: every dead row,
        of `channel` if given); the give-up age counts from now. Recipients refused
        for good become the only ones it is sent to again. Returns the delivery ids."""
        clauses, params = ["status = 'dead'"], []
        if delivery_id is not None:
            clauses.append("delivery_id = ?")
            params.append(delivery_id)
        if channel is not None:
            clauses.append("channel = ?")
            params.append(channel)
        with self.c.transaction() as db:
            rows = db.execute(
                "SELECT delivery_id, recipients_pending, recipients_refused FROM notifications "
                f"WHERE {' AND '.join(clauses)}",
                params,
            ).fetchall()
            for found, pending, refused in rows:
                again = _requeued_recipients(pending, refused)
                db.execute(
                    "UPDATE notifications SET status = 'pending', next_attempt_at = ?, "
                    "requeued_at = ?, claimed_by = NULL, claimed_until = NULL, "
                    "recipients_pending = ?, recipients_refused = NULL WHERE delivery_id = ?",
                    [iso(now), iso(now), again, found],
                )
        return [row[0] for row in rows]

    def dismiss(self, delivery_id: str) -> bool:
        """Dead → dismissed: kept, no longer counted as dead; False if it was not dead."""
        with self.c.transaction() as db:
            return bool(
                db.execute(
                    "UPDATE notifications SET status = 'dismissed' "
                    "WHERE delivery_id = ? AND status = 'dead'",
                    [delivery_id],
                ).rowcount
            )

    # -- for `status` ----------------------------------------------------------
    def counts(self, since: datetime) -> dict[str, int]:
        row = self.c.db.execute(
            "SELECT sum(status = 'pending'), sum(status = 'dead'), "
            "sum(status = 'sent' AND sent_at >= ?) FROM notifications",
            [iso(since)],
        ).fetchone()
        return {"pending": row[0] or 0, "dead": row[1] or 0, "sent_today": row[2] or 0}

    def dead_by_channel(self) -> list[dict[str, Any]]:
        return self.c.query(
            "SELECT channel, count(*) AS dead, "
            "(SELECT last_error FROM notifications n2 WHERE n2.channel = n.channel "
            "AND n2.status = 'dead' ORDER BY rowid DESC LIMIT 1) AS last_error "
            "FROM notifications n WHERE status = 'dead' GROUP BY channel ORDER BY channel"
        )

    def backlog(self) -> list[ChannelBacklog]:
        """Per channel with rows pending or dead: how many, and when the oldest pending
        one was queued (the metrics endpoint reads this at every scrape)."""
        rows = self.c.db.execute(
            "SELECT channel, sum(status = 'pending'), "
            "min(CASE WHEN status = 'pending' THEN created_at END), sum(status = 'dead') "
            "FROM notifications WHERE status IN ('pending', 'dead') "
            "GROUP BY channel ORDER BY channel"
        ).fetchall()
        return [
            ChannelBacklog(
                channel, int(pending), datetime.fromisoformat(oldest) if oldest else None, int(dead)
            )
            for channel, pending, oldest, dead in rows
        ]

    def latencies(self, since: datetime) -> list[float]:
        """Seconds from EDGAR acceptance to notification sent, for rows sent since `since`."""
        rows = self.c.db.execute(
            "SELECT (julianday(n.sent_at) - julianday(f.accepted_at)) * 86400.0 "
            "FROM notifications n JOIN filings f ON f.accession = n.accession "
            "WHERE n.status = 'sent' AND n.sent_at >= ? AND f.accepted_at IS NOT NULL",
            [iso(since)],
        ).fetchall()
        return sorted(max(0.0, r[0]) for r in rows if r[0] is not None)

    def for_filing(self, accession: str) -> list[dict[str, Any]]:
        """One filing's notification rows, oldest first (for `edgarwatch show`)."""
        return self.c.query(
            "SELECT channel, rule, status, attempts, last_error, created_at, sent_at "
            "FROM notifications WHERE accession = ? ORDER BY created_at, rowid",
            [accession],
        )


SHORT_ID = 8
"""Characters of the delivery id the listing shows as ID (any unique prefix is accepted)."""


def list_notifications(
    db: Database, *, status: str | None = None, channel: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Notifications newest first, with their filing's company, for operators.

    Works on a read-only connection to a database of any schema version: a
    column an older database lacks reads as NULL.
    """
    have = {row[1] for row in db.execute("PRAGMA table_info(notifications)").fetchall()}
    optional = ("recipients_pending", "recipients_refused", "requeued_at")
    extra = ", ".join(f"n.{c}" if c in have else f"NULL AS {c}" for c in optional)
    where, params = where_equal(**{"n.status": status, "n.channel": channel})
    cursor = db.execute(
        "SELECT substr(n.delivery_id, 1, ?) AS id, n.delivery_id, n.accession, f.company, "
        "f.form, n.channel, n.rule, n.items, n.status, n.attempts, n.last_error, "
        f"n.created_at, n.next_attempt_at, n.sent_at, {extra} FROM notifications n "
        f"LEFT JOIN filings f ON f.accession = n.accession {where}"
        "ORDER BY n.created_at DESC, n.rowid DESC LIMIT ?",
        [SHORT_ID, *params, limit],
    )
    names = [column[0] for column in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        row["items"] = json.loads(row["items"] or "[]")
        for key in ("recipients_pending", "recipients_refused"):
            row[key] = json.loads(row[key]) if row[key] else None
    return rows


def _requeued_recipients(pending: str | None, refused: str | None) -> str | None:
    """Who a retried row goes to: those still pending plus those refused for good; None
    (everyone) when nobody was singled out."""
    if not refused:
        return pending
    again = list(json.loads(pending or "[]")) + list(json.loads(refused))
    return json.dumps(list(dict.fromkeys(again)))


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


__all__ = ["CLAIM_LEASE", "ChannelBacklog", "Outbox", "OutboxRow", "process_owner", "utc_now"]
