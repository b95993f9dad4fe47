"""The only code that touches SQLite: schema, migrations and named queries.

`Storage.open(path)` applies pending migrations and hands out the stores;
`Storage.open_readonly(path)` (the read commands) never creates, migrates or
writes the file (see `ReadOnlyConnections` for how a live WAL database is read):
`filings` (filings, companies, items, exhibits), `outbox` (notifications),
`state` (cursor and health marks, seen accessions, tickers, the cycle log),
`watched` (the resolved watchlist), and for digests and alarms `messages`
(their outbox), `digests` (the schedule's memory) and `alarms` (their
states). Errors are `StorageError`s:
`DatabaseUnavailable` (`DatabaseMissing`), `DatabaseLocked`, `DatabaseOutdated`,
`DatabaseUnwritable` (read-only, disk full),
`SearchSyntaxError`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from edgarwatch.policy import NewNotification
from edgarwatch.storage.db import (
    Connections,
    DatabaseLocked,
    DatabaseMissing,
    DatabaseOutdated,
    DatabaseUnavailable,
    DatabaseUnwritable,
    ReadOnlyConnections,
    SearchSyntaxError,
    StorageError,
)
from edgarwatch.storage.filing_enrichment import PendingFiling
from edgarwatch.storage.filings import FilingStore
from edgarwatch.storage.messages import (
    Alarms,
    AlarmState,
    DigestFiling,
    DigestRecord,
    Digests,
    MessageRow,
    Messages,
    Outgoing,
)
from edgarwatch.storage.outbox import Outbox, OutboxRow, process_owner
from edgarwatch.storage.state import Audit, FeedCursor, SecBlock, State
from edgarwatch.storage.watched import WatchedCompanies


class Storage:
    def __init__(self, connections: Connections) -> None:
        self.connections = connections
        self.filings = FilingStore(connections)
        self.outbox = Outbox(connections)
        self.state = State(connections)
        self.watched = WatchedCompanies(connections)
        self.messages = Messages(connections)
        self.digests = Digests(connections)
        self.alarms = Alarms(connections)

    @classmethod
    def open(cls, path: Path) -> Storage:
        return cls(Connections(path))

    @classmethod
    def open_readonly(cls, path: Path) -> Storage:
        """Open for reading only; DatabaseMissing when there is no file (none is created)."""
        return cls(ReadOnlyConnections(path))

    @property
    def outdated(self) -> list[str]:
        """Migrations this code has and a read-only database lacks (the daemon applies them)."""
        return list(getattr(self.connections, "outdated", []))

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Around reads of a read-only database: SQLite errors become StorageErrors that
        say what to do (`DatabaseOutdated`: start the daemon once to upgrade it)."""
        if isinstance(self.connections, ReadOnlyConnections):
            with self.connections.reading():
                yield
        else:
            yield

    @property
    def path(self) -> Path:
        return self.connections.path

    def close(self) -> None:
        self.connections.close()


__all__ = [
    "AlarmState",
    "Alarms",
    "Audit",
    "DatabaseLocked",
    "DatabaseMissing",
    "DatabaseOutdated",
    "DatabaseUnavailable",
    "DatabaseUnwritable",
    "DigestFiling",
    "DigestRecord",
    "Digests",
    "FeedCursor",
    "MessageRow",
    "Messages",
    "NewNotification",
    "OutboxRow",
    "Outgoing",
    "PendingFiling",
    "SearchSyntaxError",
    "SecBlock",
    "Storage",
    "StorageError",
    "process_owner",
]
