"""Storage: migrations, WAL, idempotent recording, one transaction per filing."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from edgarwatch.filing import EASTERN, Company, Exhibit, Filing, FilingReport, Item
from edgarwatch.policy import NotifyPolicy
from edgarwatch.storage import NewNotification, Storage

FILING = Filing(
    accession="0001104659-07-035757",
    form="8-K",
    companies=(Company(855654, "IMMUNOGEN INC", "Filer"),),
    url="https://www.sec.gov/Archives/edgar/data/855654/000110465907035757/0001104659-07-035757-index.htm",
    accepted_at=datetime(2007, 5, 4, 16, 5, 33, tzinfo=EASTERN),
    items=("1.01",),
)


@pytest.fixture
def storage(tmp_path: Path) -> Storage:
    return Storage.open(tmp_path / "edgarwatch.db")


def test_it_creates_the_public_schema_in_wal_mode(storage: Storage) -> None:
    db = storage.connections.db
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    columns = {
        t: {c.name for c in db.table(t).columns}
        for t in ("filings", "filing_companies", "items", "notifications")
    }
    assert {
        "accession",
        "cik",
        "company",
        "form",
        "filed",
        "accepted_at",
        "items",
        "url",
    } <= columns["filings"]
    assert {"accession", "cik", "name", "role"} <= columns["filing_companies"]
    assert {"accession", "number", "title", "text"} <= columns["items"]
    assert {
        "accession",
        "channel",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    } <= columns["notifications"]
    assert db.table("notifications").pks == ["accession", "channel", "rule"]


def test_migrations_run_once_and_reopening_is_harmless(tmp_path: Path) -> None:
    first = Storage.open(tmp_path / "edgarwatch.db")
    first.filings.record(FILING, source="feed", policy=NotifyPolicy.NEWS)
    first.close()
    again = Storage.open(tmp_path / "edgarwatch.db")
    applied = again.connections.query("SELECT name FROM _sqlite_migrations")
    assert [r["name"] for r in applied] == [
        "m001_filings",
        "m002_notifications",
        "m003_state",
        "m004_search",
        "m005_notify_policy",
        "m006_discovery",
    ]
    assert again.filings.recorded([FILING.accession]) == {FILING.accession}


def test_recording_is_idempotent_and_merges_roles_and_items(storage: Storage) -> None:
    assert storage.filings.record(FILING, source="feed", policy=NotifyPolicy.NEWS) is True
    subject = Filing(
        **{
            **FILING.__dict__,
            "companies": (Company(1999999, "PARTNER CORP", "Subject"),),
            "items": ("1.01", "9.01"),
        }
    )
    assert storage.filings.record(subject, source="catch-up", policy=NotifyPolicy.HISTORY) is False
    assert storage.connections.query("SELECT count(*) AS n FROM filings")[0]["n"] == 1
    filing = storage.filings.get(FILING.accession)
    assert filing is not None
    assert {(c.cik, c.role) for c in filing.companies} == {(855654, "Filer"), (1999999, "Subject")}
    assert filing.items == ("1.01", "9.01")
    assert filing.accepted_at == FILING.accepted_at
    row = storage.connections.query("SELECT notify, source FROM filings")[0]
    assert row == {"notify": "news", "source": "feed"}  # the first recording decides


def test_enrichment_and_its_notifications_commit_together_or_not_at_all(storage: Storage) -> None:
    storage.filings.record(FILING, source="feed", policy=NotifyPolicy.NEWS)
    bad = FilingReport(
        FILING,
        items=(Item("1.01", "Entry into a Material Definitive Agreement", "text"),),
        exhibits=(Exhibit("EX-10.1", "ex.htm", "https://www.sec.gov/x/ex.htm"),),
    )
    with pytest.raises(sqlite3.IntegrityError):
        # An outbox row that violates a constraint (NULL channel) fails the whole transaction.
        storage.filings.record_enrichment(bad, [NewNotification(None, "default", ("1.01",))])  # type: ignore[arg-type]
    assert storage.connections.query("SELECT text FROM items")[0]["text"] is None
    assert storage.connections.query("SELECT count(*) AS n FROM exhibits")[0]["n"] == 0
    assert (
        storage.filings.record_enrichment(bad, [NewNotification("slack", "default", ("1.01",))])
        == 1
    )
    assert (
        storage.filings.record_enrichment(bad, [NewNotification("slack", "default", ("1.01",))])
        == 0
    )


def test_a_claim_is_exclusive_across_connections(tmp_path: Path, storage: Storage) -> None:
    storage.filings.record(FILING, source="feed", policy=NotifyPolicy.NEWS)
    storage.filings.record_enrichment(
        FilingReport(FILING), [NewNotification("slack", "default", ("1.01",))]
    )
    other = Storage.open(tmp_path / "edgarwatch.db")
    now = datetime.now(UTC)
    assert len(storage.outbox.claim_due(now, "host:1")) == 1
    assert other.outbox.claim_due(now, "host:2") == []


def test_claims_of_a_dead_process_are_released(storage: Storage) -> None:
    storage.filings.record(FILING, source="feed", policy=NotifyPolicy.NEWS)
    storage.filings.record_enrichment(
        FilingReport(FILING), [NewNotification("slack", "default", ("1.01",))]
    )
    import socket

    owner = f"{socket.gethostname()}:999999999"
    assert len(storage.outbox.claim_due(datetime.now(UTC), owner)) == 1
    assert storage.outbox.release_dead_claims() == 1
    assert len(storage.outbox.claim_due(datetime.now(UTC), "host:3")) == 1


def test_search_ranks_item_text_and_highlights(storage: Storage) -> None:
    storage.filings.record(FILING, source="feed", policy=NotifyPolicy.NEWS)
    storage.filings.record_enrichment(
        FilingReport(
            FILING,
            items=(
                Item(
                    "1.01",
                    "Entry into a Material Definitive Agreement",
                    "ImmunoGen entered into a manufacturing agreement with SICOR.",
                ),
            ),
        ),
        [],
    )
    hits = storage.filings.search(
        storage.connections.db.quote_fts("manufacturing agreement"), item="1.01"
    )
    assert [h["accession"] for h in hits] == [FILING.accession]
    assert "[manufacturing]" in hits[0]["snippet"]
    assert storage.filings.search(storage.connections.db.quote_fts("license"), item="1.01") == []


def test_processes_opening_a_new_database_at_once_all_succeed(tmp_path: Path) -> None:
    """The daemon migrating while an operator runs `status` must not see 'database is locked'."""
    import subprocess
    import sys

    database = tmp_path / "fresh.db"
    script = "import sys; from pathlib import Path; from edgarwatch.storage import Storage; Storage.open(Path(sys.argv[1])).close()"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(database)], stderr=subprocess.PIPE, text=True
        )
        for _ in range(6)
    ]
    errors = [worker.communicate(timeout=60)[1] for worker in workers]
    assert [worker.returncode for worker in workers] == [0] * 6, errors
    applied = Storage.open(database).connections.query(
        "SELECT count(*) AS n FROM _sqlite_migrations"
    )
    assert applied == [{"n": 6}]  # each migration exactly once


def test_a_database_of_the_0_1_notify_column_keeps_what_each_row_meant(tmp_path: Path) -> None:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

    from edgarwatch.storage import schema

    path = tmp_path / "old.db"
    old = Migrations("edgarwatch")
    for step in (schema.m001_filings, schema.m002_notifications, schema.m003_state):
        old()(step)
    db = Database(path)
    old.apply(db)
    for n, flag in enumerate((1, 0)):
        db.table("filings").insert(
            {"accession": f"0001104659-07-03575{n}", "cik": 855654, "company": "IMMUNOGEN INC"}
            | {"form": "8-K", "url": "https://www.sec.gov/x", "recorded_at": "2026-01-05"}
            | {"notify": flag}
        )
    db.close()
    storage = Storage.open(path)
    rows = storage.connections.query("SELECT notify FROM filings ORDER BY accession")
    assert [r["notify"] for r in rows] == ["news", "history"]
    pending = storage.filings.due_for_enrichment(datetime.now(UTC))
    assert [p.policy for p in pending] == [NotifyPolicy.NEWS, NotifyPolicy.HISTORY]
