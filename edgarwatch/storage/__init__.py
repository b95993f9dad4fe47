"""The only code that touches SQLite: schema, migrations and named queries.

`Storage.open(path)` applies pending migrations and hands out the three
stores: `filings` (filings, companies, items, exhibits), `outbox`
(notifications) and `state` (cursor, seen accessions, watchlist, tickers).
"""

from __future__ import annotations

from pathlib import Path

from edgarwatch.policy import NewNotification
from edgarwatch.storage.db import Connections, StorageError
from edgarwatch.storage.filings import FilingStore, PendingFiling
from edgarwatch.storage.outbox import Outbox, OutboxRow, process_owner
from edgarwatch.storage.state import FeedCursor, SecBlock, State


class Storage:
    def __init__(self, connections: Connections) -> None:
        self.connections = connections
        self.filings = FilingStore(connections)
        self.outbox = Outbox(connections)
        self.state = State(connections)

    @classmethod
    def open(cls, path: Path) -> Storage:
        return cls(Connections(path))

    @property
    def path(self) -> Path:
        return self.connections.path

    def close(self) -> None:
        self.connections.close()


__all__ = [
    "FeedCursor",
    "NewNotification",
    "OutboxRow",
    "PendingFiling",
    "SecBlock",
    "Storage",
    "StorageError",
    "process_owner",
]
