"""The read commands (status, filings, search, show) on real SQLite files: they never
create, migrate or write the database, read a live WAL database and a read-only one,
search with stemming and prefixes, and show one filing in full."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from edgarwatch.cli import main
from edgarwatch.company import Ticker
from edgarwatch.filing import EASTERN, Company, Exhibit, Filing, FilingReport, Item
from edgarwatch.policy import NewNotification, NotifyPolicy
from edgarwatch.storage import DatabaseMissing, Storage
from edgarwatch.storage.schema import migrations
from tests.support import write_config

SEED = "0001104659-07-035757"
SEED_TEXT = (
    "On April 30, 2007, ImmunoGen, Inc. entered into a manufacturing agreement with SICOR. "
    "ImmunoGen will pay royalties on net sales of licensed products."
)
OTHER = "0000320193-26-000011"


def filing(accession: str, cik: int, name: str, items: tuple[str, ...] = ("1.01",)) -> Filing:
    return Filing(
        accession=accession,
        form="8-K",
        companies=(Company(cik, name, "Filer"),),
        url=f"https://www.sec.gov/Archives/edgar/data/{cik}/{accession.replace('-', '')}/{accession}-index.htm",
        accepted_at=datetime(2007, 5, 4, 16, 5, 33, tzinfo=EASTERN),
        items=items,
    )


def record(storage: Storage, accession: str, cik: int, name: str, text: str) -> None:
    storage.filings.record(filing(accession, cik, name), source="feed", policy=NotifyPolicy.NEWS)
    report = FilingReport(
        filing(accession, cik, name),
        items=(Item("1.01", "Entry into a Material Definitive Agreement", text),),
        exhibits=(
            Exhibit(
                "EX-10.1",
                "ex10-1.htm",
                f"https://www.sec.gov/Archives/edgar/data/{cik}/ex10-1.htm",
                "Manufacturing Agreement",
                2,
            ),
        ),
    )
    storage.filings.record_enrichment(report, [NewNotification("slack", "default", ("1.01",))])


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "state" / "edgarwatch.db"
    storage = Storage.open(path)
    record(storage, SEED, 855654, "IMMUNOGEN INC", SEED_TEXT)
    record(storage, OTHER, 320193, "Apple Inc.", "Apple licenses a patent from AT&T for $5.")
    storage.state.replace_tickers([Ticker("IMGN", 855654, "IMMUNOGEN INC")])
    storage.close()
    return path


def config_for(tmp_path: Path, database: Path) -> Path:
    return write_config(tmp_path / "config.toml", "http://127.0.0.1:9", database)


def run(config: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--config", str(config), *args])
    return result.exit_code, result.stdout, result.stderr


def files_in(folder: Path) -> dict[str, tuple[int, float]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime) for p in folder.iterdir()}


# -- never create ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "command", [["status"], ["filings"], ["search", "license"], ["show", SEED]]
)
def test_it_reports_a_missing_database_and_creates_nothing(
    tmp_path: Path, command: list[str]
) -> None:
    database = tmp_path / "not-yet" / "edgarwatch.db"
    code, _, err = run(config_for(tmp_path, database), *command)
    assert code == 1
    assert f"no database at {database} — has the daemon run?" in err
    assert not database.parent.exists()


def test_status_json_gives_an_error_object_for_a_missing_database(tmp_path: Path) -> None:
    database = tmp_path / "edgarwatch.db"
    code, out, _ = run(config_for(tmp_path, database), "status", "--json")
    assert code == 1
    report = json.loads(out)
    assert report["healthy"] is False
    assert report["error"] == f"no database at {database} — has the daemon run?"
    assert not database.exists()


def test_open_readonly_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DatabaseMissing):
        Storage.open_readonly(tmp_path / "missing.db")
    assert list(tmp_path.iterdir()) == []


def test_read_commands_leave_every_file_as_they_found_it(tmp_path: Path, database: Path) -> None:
    config = config_for(tmp_path, database)
    before = files_in(database.parent)
    for command in (["status"], ["filings"], ["search", "royalty"], ["show", SEED]):
        code, _, err = run(config, *command)
        assert code in (0, 1), err  # status: unhealthy (no poll yet), still read
    assert files_in(database.parent) == before  # no -wal, -shm or journal left behind


# -- never migrate --------------------------------------------------------------------


def older_database(path: Path, stop_before: str) -> None:
    """A database an older edgarwatch made: the migrations before `stop_before`."""
    conn = sqlite3.connect(path)
    from sqlite_utils import Database

    db = Database(conn)
    db.execute("PRAGMA journal_mode=WAL")
    migrations.apply(db, stop_before=stop_before)
    conn.close()


def test_read_commands_never_migrate_and_read_what_an_older_schema_has(tmp_path: Path) -> None:
    database = tmp_path / "edgarwatch.db"
    older_database(database, "m009_search_stemming")
    conn = sqlite3.connect(database)
    conn.execute(
        "INSERT INTO filings (accession, cik, company, form, url, recorded_at, items) "
        "VALUES (?, 855654, 'IMMUNOGEN INC', '8-K', 'https://x', '2026-01-01T00:00:00+00:00', "
        "'[\"1.01\"]')",
        [SEED],
    )
    conn.execute(
        "INSERT INTO items (accession, number, title, text) VALUES (?, '1.01', 't', ?)",
        [SEED, SEED_TEXT],
    )
    conn.commit()
    conn.close()
    config = config_for(tmp_path, database)
    code, out, _ = run(config, "filings")
    assert code == 0
    assert "IMMUNOGEN INC" in out
    code, out, _ = run(config, "search", "royalties")
    assert code == 0
    assert "IMMUNOGEN INC" in out
    applied = sqlite3.connect(database).execute("SELECT name FROM _sqlite_migrations").fetchall()
    assert ("m009_search_stemming",) not in applied


def test_it_says_an_older_database_needs_the_daemon_to_upgrade_it(tmp_path: Path) -> None:
    database = tmp_path / "edgarwatch.db"
    older_database(database, "m002_notifications")
    code, _, err = run(config_for(tmp_path, database), "status")
    assert code == 1
    assert "is from an older edgarwatch" in err
    assert "start the daemon once to upgrade it" in err
    tables = sqlite3.connect(database).execute("SELECT name FROM sqlite_master").fetchall()
    assert ("notifications",) not in tables


# -- read-only files and a live WAL database --------------------------------------------


def as_unprivileged(command: list[str]) -> list[str]:
    """Run `command` without the power to write files it has no permission for.

    As root (CI runs as root), drop the capabilities that bypass file
    permissions (setpriv(1)), so a 0444 file in a 0555 folder is read-only for it
    as it is for the daemon's or an operator's user.
    """
    if os.geteuid() != 0:
        return command
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv(1): cannot drop file capabilities")
    drop = "-dac_override,-dac_read_search,-fowner"
    return [setpriv, "--bounding-set", drop, "--inh-caps", "-all", "--", *command]


@pytest.fixture
def read_only(database: Path) -> Iterator[Path]:
    """`database` and its folder made read-only (restored afterwards, for tmp_path's cleanup)."""
    folder = database.parent
    for path in folder.iterdir():
        path.chmod(0o444)
    folder.chmod(0o555)
    try:
        yield database
    finally:
        folder.chmod(0o755)
        for path in folder.iterdir():
            path.chmod(0o644)


def edgarwatch(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = as_unprivileged([sys.executable, "-m", "edgarwatch", "--config", str(config), *args])
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_read_commands_work_on_a_read_only_database(tmp_path: Path, read_only: Path) -> None:
    probe = subprocess.run(
        as_unprivileged(["touch", str(read_only.parent / "probe")]),
        capture_output=True,
        check=False,
    )
    assert probe.returncode != 0, "the folder should not be writable for the reader"
    config = config_for(tmp_path, read_only)
    listed = edgarwatch(config, "filings", "--json")
    assert listed.returncode == 0, listed.stderr
    assert {row["accession"] for row in json.loads(listed.stdout)} == {SEED, OTHER}
    found = edgarwatch(config, "search", "royalty")
    assert found.returncode == 0, found.stderr
    assert "IMMUNOGEN INC" in found.stdout
    status = edgarwatch(config, "status", "--json")
    # It reads, and says what a daemon running as this user could not do: write.
    assert json.loads(status.stdout)["problems"] == [
        "no successful poll yet",
        f"database is read-only: {read_only} is not writable by this user",
    ]
    assert sorted(p.name for p in read_only.parent.iterdir()) == ["edgarwatch.db"]


def test_read_commands_see_the_newest_rows_of_a_live_wal_database_they_cannot_write(
    tmp_path: Path, database: Path
) -> None:
    writer = Storage.open(database)  # the daemon: its connection keeps the -wal and -shm
    try:
        writer.connections.db.execute("PRAGMA wal_autocheckpoint=0")
        newest = "0000950170-26-000001"
        record(writer, newest, 1001, "NEWEST CORP", "A license agreement signed today.")
        wal = database.with_name(database.name + "-wal")
        assert wal.stat().st_size > 0  # the newest rows are in the WAL, not the main file
        folder_mode = stat.S_IMODE(database.parent.stat().st_mode)
        database.parent.chmod(0o555)
        try:
            shown = edgarwatch(config_for(tmp_path, database), "show", newest.replace("-", ""))
        finally:
            database.parent.chmod(folder_mode)
        assert shown.returncode == 0, shown.stderr
        assert "NEWEST CORP" in shown.stdout
    finally:
        writer.close()


# -- search -------------------------------------------------------------------------------


def test_search_stems_words_and_takes_prefixes_without_raw(tmp_path: Path, database: Path) -> None:
    config = config_for(tmp_path, database)
    for query in ("royalty", "license", "licens*", "manufacture agreements", '"net sales"'):
        code, out, err = run(config, "search", query, "--json")
        assert code == 0, err
        assert SEED in {row["accession"] for row in json.loads(out)}, query
    code, out, _ = run(config, "search", "licens*", "--json")
    assert {row["accession"] for row in json.loads(out)} == {SEED, OTHER}


@pytest.mark.parametrize("query", ["AT&T", "foo-bar", "a:b", '"unterminated', "NOT", "(x"])
def test_search_reads_punctuation_as_words_not_syntax(
    tmp_path: Path, database: Path, query: str
) -> None:
    code, out, err = run(config_for(tmp_path, database), "search", query)
    assert code == 0, err
    if query == "AT&T":
        assert "Apple Inc." in out


def test_search_and_filings_filter_by_ticker_and_cik(tmp_path: Path, database: Path) -> None:
    config = config_for(tmp_path, database)
    code, out, _ = run(config, "search", "licens*", "--ticker", "imgn", "--json")
    assert code == 0
    assert [row["accession"] for row in json.loads(out)] == [SEED]
    code, out, _ = run(config, "search", "licens*", "--cik", "320193", "--json")
    assert [row["accession"] for row in json.loads(out)] == [OTHER]
    code, out, _ = run(config, "filings", "--ticker", "IMGN", "--json")
    assert [row["accession"] for row in json.loads(out)] == [SEED]
    code, _, err = run(config, "search", "license", "--ticker", "NOPE")
    assert code == 2
    assert "unknown ticker 'NOPE'" in err


def test_the_stemming_migration_reindexes_existing_rows_and_keeps_the_triggers(
    tmp_path: Path,
) -> None:
    database = tmp_path / "edgarwatch.db"
    older_database(database, "m009_search_stemming")
    conn = sqlite3.connect(database)
    conn.execute(
        "INSERT INTO filings (accession, cik, company, form, url, recorded_at) "
        "VALUES (?, 855654, 'IMMUNOGEN INC', '8-K', 'https://x', '2026-01-01T00:00:00+00:00')",
        [SEED],
    )
    conn.execute(
        "INSERT INTO items (accession, number, title, text) VALUES (?, '1.01', 't', ?)",
        [SEED, SEED_TEXT],
    )
    conn.commit()
    conn.close()
    storage = Storage.open(database)  # the daemon's start: migrations run
    try:
        assert [r["accession"] for r in storage.filings.search('"royalty"')] == [SEED]
        record(storage, OTHER, 320193, "Apple Inc.", "Royalty-free licences granted.")
        assert {r["accession"] for r in storage.filings.search('"royalties"')} == {SEED, OTHER}
        storage.connections.db.execute(
            "UPDATE items SET text = 'Nothing of note.' WHERE accession = ?", [OTHER]
        )
        assert [r["accession"] for r in storage.filings.search('"royalties"')] == [SEED]
    finally:
        storage.close()


# -- show -----------------------------------------------------------------------------------


def test_show_prints_one_filing_in_full(tmp_path: Path, database: Path) -> None:
    config = config_for(tmp_path, database)
    code, out, err = run(config, "show", SEED.replace("-", ""))
    assert code == 0, err
    assert "IMMUNOGEN INC — 8-K" in out
    assert f"accession   {SEED}" in out
    assert "CIK         855654" in out
    assert "2007-05-04 16:05:33 EDT" in out
    assert "855654  IMMUNOGEN INC  (Filer)" in out
    assert "Item 1.01 — Entry into a Material Definitive Agreement" in out
    assert "\n  " + SEED_TEXT + "\n" in out  # the item's full text
    assert "EX-10.1  Manufacturing Agreement  https://www.sec.gov/" in out
    assert "slack" in out
    assert "pending" in out
    assert "Agreements" not in out  # no agreements table in this database
    code, out, _ = run(config, "show", SEED, "--json")
    shown = json.loads(out)
    assert shown["accession"] == SEED
    assert shown["item_texts"][0]["text"] == SEED_TEXT
    assert shown["notifications"][0]["status"] == "pending"
    assert shown["exhibits"][0]["url"].endswith("ex10-1.htm")


def test_show_prints_the_agreements_recorded_with_the_items(tmp_path: Path, database: Path) -> None:
    conn = sqlite3.connect(database)
    conn.execute(
        "INSERT INTO agreements (accession, item, position, type, amendment, title, headline, "
        "exhibit, parties, amounts) VALUES (?, '1.01', 0, 'manufacturing', 0, "
        "'Manufacturing Agreement', 'Manufacturing agreement with SICOR: EUR 5 million', "
        "'EX-10.1', ?, ?)",
        [
            SEED,
            json.dumps([{"name": "Società Italiana Corticosteroidi S.r.l", "role": "supplier"}]),
            json.dumps([{"text": "five million Euros", "value": 5000000, "currency": "EUR"}]),
        ],
    )
    conn.commit()
    conn.close()
    code, out, _ = run(config_for(tmp_path, database), "show", SEED)
    assert code == 0
    assert "\nAgreements\n  Item 1.01: Manufacturing agreement with SICOR: EUR 5 million\n" in out
    assert "    parties: Società Italiana Corticosteroidi S.r.l (supplier)" in out
    assert "    amounts: five million Euros" in out
    assert "    exhibit: EX-10.1" in out
    code, out, _ = run(config_for(tmp_path, database), "show", SEED, "--json")
    assert json.loads(out)["agreements"][0]["type"] == "manufacturing"


def test_show_says_when_a_filing_is_not_recorded(tmp_path: Path, database: Path) -> None:
    config = config_for(tmp_path, database)
    code, _, err = run(config, "show", "0000000000-26-000001")
    assert code == 1
    assert "0000000000-26-000001 is not recorded" in err
    code, _, err = run(config, "show", "12345")
    assert code == 2
    assert "not an accession number" in err


# -- seen --------------------------------------------------------------------------------------


def test_seen_forgets_what_the_feed_can_no_longer_show(tmp_path: Path) -> None:
    storage = Storage.open(tmp_path / "edgarwatch.db")
    try:
        now = datetime.now(UTC)
        old = [filing(f"0000000001-26-{n:06d}", 1, "OLD") for n in range(3)]
        storage.state.mark_seen(old)
        late = filing("0000000002-26-000001", 2, "LATE")  # accepted long ago, seen today
        db = storage.connections.db
        db.execute("UPDATE seen SET seen_at = ?", [(now - timedelta(days=9)).isoformat()])
        storage.state.mark_seen([late])
        fresh = filing("0000000003-26-000001", 3, "FRESH")
        storage.state.mark_seen([fresh])
        db.execute(
            "UPDATE seen SET accepted_at = ? WHERE accession = ?",
            [(now - timedelta(hours=2)).isoformat(), fresh.accession],
        )
        pruned = storage.state.prune_seen(now - timedelta(days=7))
        assert (pruned.forgotten, pruned.kept) == (3, 2)
        assert storage.state.unseen([f.accession for f in (*old, late, fresh)]) == {
            f.accession for f in old
        }
        assert storage.state.prune_seen(now - timedelta(days=7)).forgotten == 0
        assert storage.state.seen_count() == 2
    finally:
        storage.close()
