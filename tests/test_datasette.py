"""Datasette on the live database, as the README's "Reading the database" says.

The daemon writes in WAL mode: its newest rows are in `edgarwatch.db-wal` until
a checkpoint copies them into the main file. `datasette serve edgarwatch.db`
(mutable, the default) reads through SQLite's locks and sees them;
`datasette serve --immutable` opens the file with `immutable=1`, which tells
SQLite nobody changes it, so it reads the main file alone and misses the WAL.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest

from edgarwatch.filing import EASTERN, Company, Filing
from edgarwatch.policy import NotifyPolicy
from edgarwatch.storage import Storage

pytestmark = pytest.mark.skipif(
    find_spec("datasette") is None, reason="datasette is not installed (pip install datasette)"
)


def filing(accession: str, name: str) -> Filing:
    return Filing(
        accession=accession,
        form="8-K",
        companies=(Company(855654, name, "Filer"),),
        url=f"https://www.sec.gov/Archives/edgar/data/855654/{accession}-index.htm",
        accepted_at=datetime(2026, 11, 20, 16, 5, tzinfo=EASTERN),
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


@contextmanager
def datasette(database: Path, *, immutable: bool = False) -> Iterator[str]:
    """`datasette serve edgarwatch.db` (or `serve --immutable edgarwatch.db`) on loopback."""
    port = free_port()
    files = ["--immutable", str(database)] if immutable else [str(database)]
    command = [sys.executable, "-m", "datasette", "serve", *files, "--host", "127.0.0.1"]
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                get(f"{url}/-/versions.json")
                break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    error = process.stderr.read().decode() if process.stderr else ""
                    pytest.fail(f"datasette did not start: {error}")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def accessions(url: str) -> set[str] | str:
    """The accessions Datasette shows in `filings`, or its error."""
    try:
        rows = get(f"{url}/edgarwatch/filings.json?_shape=array&_col=accession")
    except urllib.error.HTTPError as exc:
        return str(json.load(exc).get("error"))
    return {row["accession"] for row in rows}


def test_datasette_serve_sees_the_rows_a_running_daemon_just_wrote(tmp_path: Path) -> None:
    database = tmp_path / "edgarwatch.db"
    daemon = Storage.open(database)  # the writer, its connection open all along
    try:
        db = daemon.connections.db
        daemon.filings.record(
            filing("0000000001-26-000001", "FIRST"), source="feed", policy=NotifyPolicy.NEWS
        )
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # what the daemon wrote long ago
        db.execute("PRAGMA wal_autocheckpoint=0")  # what it writes next stays in the WAL
        with datasette(database) as live, datasette(database, immutable=True) as frozen:
            newest = "0000000002-26-000002"
            daemon.filings.record(filing(newest, "NEWEST"), source="feed", policy=NotifyPolicy.NEWS)
            assert (database.parent / "edgarwatch.db-wal").stat().st_size > 0
            assert accessions(live) == {"0000000001-26-000001", newest}
            assert accessions(frozen) == {"0000000001-26-000001"}  # --immutable misses the WAL
    finally:
        daemon.close()
