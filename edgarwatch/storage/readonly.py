"""Opening the database to read only: for commands that must never create or change it.

`edgarwatch notifications` (the listing) opens the file with SQLite's
`mode=ro`: a mistyped `storage.path` is an error naming the path, not a new
empty database, and a running daemon is never locked out (WAL: readers
never block the writer). No migration runs; queries read what columns the
file has.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from edgarwatch.storage.db import BUSY_TIMEOUT_SECONDS, DatabaseUnavailable


def open_read_only(path: Path) -> Database:
    """The database at `path`, read-only; DatabaseUnavailable when there is none."""
    if not path.is_file():
        raise DatabaseUnavailable(f"no database at {path}")
    try:
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_SECONDS
        )
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise DatabaseUnavailable(f"cannot read the database {path}: {exc}") from None
    return Database(conn)


def where_equal(**columns: str | None) -> tuple[str, list[str]]:
    """`WHERE a = ? AND b = ? ` for the columns given a value (None: any), and its
    parameters: the filters of the operators' listings."""
    given = {name: value for name, value in columns.items() if value is not None}
    if not given:
        return "", []
    clause = " AND ".join(f"{name} = ?" for name in given)
    return f"WHERE {clause} ", list(given.values())
