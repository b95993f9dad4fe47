"""The only code that touches SQLite: schema, migrations and named queries.

`Storage.open(path)` applies pending migrations and hands out the stores:
`filings` (filings, companies, items, exhibits), `outbox` (notifications),
`state` (cursor and health marks, seen accessions, tickers, the cycle log)
and `watched` (the resolved watchlist). Errors are `StorageError`s:
`DatabaseUnavailable`, `DatabaseLocked`, `DatabaseUnwritable` (read-only, disk full),
`SearchSyntaxError`.
"""

from __future__ import annotations

from pathlib import Path

from edgarwatch.policy import NewNotification
from edgarwatch.storage.db import (
    Connections,
    DatabaseLocked,
    DatabaseUnavailable,
    DatabaseUnwritable,
    SearchSyntaxError,
    StorageError,
)
from edgarwatch.storage.filings import FilingStore, PendingFiling
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

    @classmethod
    def open(cls, path: Path) -> Storage:
        return cls(Connections(path))

    @property
    def path(self) -> Path:
        return self.connections.path

    def close(self) -> None:
        self.connections.close()


__all__ = [
    "Audit",
    "DatabaseLocked",
    "DatabaseUnavailable",
    "DatabaseUnwritable",
    "FeedCursor",
    "NewNotification",
    "OutboxRow",
    "PendingFiling",
    "SearchSyntaxError",
    "SecBlock",
    "Storage",
    "StorageError",
    "process_owner",
]
