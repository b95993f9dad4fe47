"""Opening the database: one connection per thread, WAL, a busy timeout, migrations.

The daemon's jobs run in APScheduler's worker threads, and operators run
`edgarwatch status` or `watch add` against the same file while it runs, so:
WAL (readers never block the writer), a generous busy timeout (writers wait
instead of failing with "database is locked"), and a connection per thread.
A connection lives as long as its thread: threads come and go (a dispatch
pass's pool, restarted workers), and a connection left open by a thread that
ended holds two descriptors and its page cache for good.
`synchronous=NORMAL` is durable across a process crash (kill -9) in WAL mode;
only a power cut can lose the last commits, and the catch-up tier would
record those filings again.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from edgarwatch.storage.schema import migrations

BUSY_TIMEOUT_SECONDS = 30.0
PRUNE_EVERY_SECONDS = 60.0
"""Besides at every new connection, connections of ended threads are closed this often."""


class StorageError(Exception):
    """The database cannot be opened or used."""


class DatabaseUnavailable(StorageError):
    """The database file cannot be opened, created or migrated."""


class DatabaseLocked(StorageError):
    """Another writer held the database for longer than the busy timeout."""


class DatabaseUnwritable(StorageError):
    """Writes fail: the database file is read-only, or its disk is full (or failing)."""

    def __init__(self, cause: str, detail: str) -> None:
        self.cause = cause
        super().__init__(f"{cause} ({detail})")


_UNWRITABLE = {
    sqlite3.SQLITE_READONLY: "database is read-only",
    sqlite3.SQLITE_FULL: "disk full",
    sqlite3.SQLITE_IOERR: "disk I/O error",
    sqlite3.SQLITE_CANTOPEN: "database file cannot be opened",
}


def unwritable(exc: sqlite3.Error) -> DatabaseUnwritable | None:
    """The named storage error for a write SQLite refused, when that is what it was."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary in _UNWRITABLE:
        return DatabaseUnwritable(_UNWRITABLE[primary], str(exc))
    return None


class SearchSyntaxError(StorageError, ValueError):
    """A full-text search query that SQLite FTS5 cannot read (`edgarwatch search --raw`)."""


class DatabaseMissing(DatabaseUnavailable):
    """There is no database file: read commands never create one."""


class DatabaseOutdated(StorageError):
    """The database lacks a table or column this edgarwatch reads: an older daemon made it,
    and only the daemon (which migrates at start) may upgrade it."""


class Connections:
    """Hands each thread its own sqlite-utils Database on one file.

    Each connection is remembered with a weak reference to the thread that
    owns it; connections whose thread has ended are closed when a new one is
    made and every `PRUNE_EVERY_SECONDS`. A connection is only ever used by
    its own thread, so one whose thread is gone is one nobody can be using.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._all: list[tuple[weakref.ref[threading.Thread], sqlite3.Connection]] = []
        self._lock = threading.Lock()
        self._pruned_at = time.monotonic()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _create_private(path)
            self._prepare()
        except (sqlite3.Error, OSError) as exc:
            raise DatabaseUnavailable(f"cannot open the database {path}: {exc}") from None

    def _prepare(self) -> None:
        """WAL once, then migrations under BEGIN IMMEDIATE.

        Several processes may open a database at once (the daemon upgrading
        while an operator runs `status`). A deferred transaction that turns
        into a writer gets SQLITE_BUSY at once, without waiting; taking the
        write lock up front makes the others wait their turn on the busy
        timeout, and find nothing left to apply.
        """
        db = self.db
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            with db.ensure_autocommit_on():
                db.execute("PRAGMA journal_mode=WAL")
        if migrations.pending(db):
            with self.transaction():
                migrations.apply(db)

    @property
    def db(self) -> Database:
        db: Database | None = getattr(self._local, "db", None)
        if db is None:
            self.prune()
            conn = sqlite3.connect(
                str(self.path), timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False
            )
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            db = Database(conn)
            self._local.db = db
            with self._lock:
                self._all.append((weakref.ref(threading.current_thread()), conn))
        elif time.monotonic() - self._pruned_at > PRUNE_EVERY_SECONDS:
            self.prune()
        return db

    def prune(self) -> int:
        """Close the connections of threads that have ended; return how many."""
        with self._lock:
            self._pruned_at = time.monotonic()
            ended = [(ref, conn) for ref, conn in self._all if not _alive(ref)]
            self._all = [(ref, conn) for ref, conn in self._all if _alive(ref)]
        for _, conn in ended:
            with suppress(sqlite3.Error):
                conn.close()
        return len(ended)

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """BEGIN IMMEDIATE … COMMIT: take the write lock up front, so two writers
        queue on the busy timeout instead of deadlocking on an upgrade."""
        db = self.db
        try:
            db.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:  # SQLITE_BUSY past the busy timeout
            raise unwritable(exc) or DatabaseLocked(f"{self.path}: {exc}") from None
        try:
            yield db
            db.conn.execute("COMMIT")
        except BaseException as exc:
            with suppress(sqlite3.Error):
                db.conn.execute("ROLLBACK")
            named = unwritable(exc) if isinstance(exc, sqlite3.Error) else None
            if named is not None:
                raise named from None
            raise

    def query(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        return list(self.db.query(sql, params))

    def close(self) -> None:
        with self._lock:
            for _, conn in self._all:
                with suppress(sqlite3.Error):
                    conn.close()
            self._all.clear()
        self._local = threading.local()


class ReadOnlyConnections(Connections):
    """Connections that only read: they never create, migrate or write the file.

    `edgarwatch status`, `filings`, `search`, `show` read a database the daemon
    may be writing, possibly as another user (systemd's DynamicUser) or from a
    read-only mount. How it is opened (sqlite.org/wal.html "Read-Only
    Databases", sqlite.org/uri.html):

    * a `-wal` file beside it (the daemon runs, or stopped without cleaning
      up): `mode=ro`. It reads the write-ahead log, where the newest rows are,
      and takes no write lock. SQLite (>= 3.22) needs the `-shm` to exist and
      be readable, or the directory to be writable.
    * no `-wal` file: nobody has the database open in WAL mode, so every
      committed row is in the main file, and `immutable=1` reads it without
      creating a `-wal` or `-shm`. Created by `mode=ro`, those would belong to
      whoever ran the command and could lock the daemon's own user out.
      (A daemon starting while such a read runs could checkpoint under it;
      the read is a one-off, and a retry sees the new state.)

    `outdated` names the migrations this code has and the file lacks: the
    daemon applies them at its next start; until then what exists is read,
    and a missing table or column is a `DatabaseOutdated`.
    """

    def __init__(self, path: Path) -> None:  # not super().__init__: it would create and migrate
        self.path = path
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        if not path.is_file():
            raise DatabaseMissing(f"no database at {path} — has the daemon run?")
        wal = path.with_name(path.name + "-wal")
        self.uri = path.absolute().as_uri() + ("?mode=ro" if wal.exists() else "?immutable=1")
        try:
            self.outdated = [m.name for m in migrations.pending(self.db)]
        except sqlite3.Error as exc:
            self.close()
            raise DatabaseUnavailable(f"cannot read the database {path}: {exc}") from None

    @property
    def db(self) -> Database:
        db: Database | None = getattr(self._local, "db", None)
        if db is None:
            conn = sqlite3.connect(
                self.uri, uri=True, timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False
            )
            conn.execute("PRAGMA query_only=ON")
            db = Database(conn)
            self._local.db = db
            with self._readers_lock:
                self._readers.append(conn)
        return db

    def close(self) -> None:
        with self._readers_lock:
            for conn in self._readers:
                with suppress(sqlite3.Error):
                    conn.close()
            self._readers.clear()
        self._local = threading.local()

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Turn SQLite's errors into StorageErrors that say what to do."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            missing = str(exc).startswith(("no such table", "no such column"))
            if missing and self.outdated:
                raise DatabaseOutdated(
                    f"the database {self.path} is from an older edgarwatch ({exc}); "
                    "start the daemon once to upgrade it"
                ) from None
            raise StorageError(f"cannot read the database {self.path}: {exc}") from None
        except sqlite3.Error as exc:
            raise StorageError(f"cannot read the database {self.path}: {exc}") from None


def _create_private(path: Path) -> None:
    """Create a new database file 0600 before SQLite opens it.

    It holds who is watched and where notifications go; SQLite creates the
    -wal and -shm files with the database file's own permissions, so they
    are private too. An existing file keeps the mode its operator gave it.
    """
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _alive(owner: weakref.ref[threading.Thread]) -> bool:
    thread = owner()
    return thread is not None and thread.is_alive()
