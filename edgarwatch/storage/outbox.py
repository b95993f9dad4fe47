"""The outbox: notification rows and their delivery state.

Delivery is at least once. A dispatcher *claims* due rows with a conditional
UPDATE (so two processes — the daemon and an operator's `edgarwatch poll` —
never send the same row at once), sends, and only then marks the row sent.
A crash between "sent" and "marked" leaves the row pending; its claim is
released at the next start (or when its lease runs out) and it is sent
again: one duplicate, never a loss.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from edgarwatch.storage.db import Connections
from edgarwatch.storage.timefmt import iso, utc_now

CLAIM_LEASE = timedelta(minutes=5)


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


def process_owner() -> str:
    """Who holds a claim: host and pid, so a restart can tell dead claimants."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Outbox:
    def __init__(self, connections: Connections) -> None:
        self.c = connections

    def claim_due(
        self, now: datetime, owner: str, *, channel: str | None = None, limit: int = 20
    ) -> list[OutboxRow]:
        """Atomically take up to `limit` due pending rows (oldest first) for `owner`."""
        params: list[Any] = [owner, iso(now + CLAIM_LEASE), iso(now), iso(now)]
        channel_clause = ""
        if channel is not None:
            channel_clause = "AND channel = ? "
            params.append(channel)
        with self.c.transaction() as db:
            rows = db.execute(
                "UPDATE notifications SET claimed_by = ?, claimed_until = ? "
                "WHERE rowid IN (SELECT rowid FROM notifications WHERE status = 'pending' "
                "AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) "
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
        rows = self.c.db.execute(
            "SELECT DISTINCT channel FROM notifications WHERE status = 'pending' "
            "AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)",
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
            "sent_at = ?, attempts = attempts + 1, recipients_pending = NULL, "
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
                "recipients_pending = ?, recipients_refused = ?, "
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
            "attempts = attempts + 1, last_error = ?, next_attempt_at = ?",
            [error[:2000], iso(retry_at)],
        )

    def mark_dead(self, row: OutboxRow, error: str) -> None:
        self._update(
            row, "status = 'dead', attempts = attempts + 1, last_error = ?", [error[:2000]]
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
        """Free rows claimed by processes of this host that no longer run."""
        host = socket.gethostname()
        rows = self.c.db.execute(
            "SELECT DISTINCT claimed_by FROM notifications WHERE claimed_by LIKE ?",
            [f"{host}:%"],
        ).fetchall()
        released = 0
        for (owner,) in rows:
            pid = int(owner.rsplit(":", 1)[1])
            if (alive is not None and owner in alive) or (alive is None and _running(pid)):
                continue
            with self.c.transaction() as db:
                released += db.execute(
                    "UPDATE notifications SET claimed_by = NULL, claimed_until = NULL "
                    "WHERE claimed_by = ?",
                    [owner],
                ).rowcount
        return released

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

    def latencies(self, since: datetime) -> list[float]:
        """Seconds from EDGAR acceptance to notification sent, for rows sent since `since`."""
        rows = self.c.db.execute(
            "SELECT (julianday(n.sent_at) - julianday(f.accepted_at)) * 86400.0 "
            "FROM notifications n JOIN filings f ON f.accession = n.accession "
            "WHERE n.status = 'sent' AND n.sent_at >= ? AND f.accepted_at IS NOT NULL",
            [iso(since)],
        ).fetchall()
        return sorted(max(0.0, r[0]) for r in rows if r[0] is not None)


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


__all__ = ["CLAIM_LEASE", "Outbox", "OutboxRow", "process_owner", "utc_now"]
