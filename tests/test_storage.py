"""Storage: migrations, WAL, idempotent recording, one transaction per filing."""

from __future__ import annotations

import os
import socket
import sqlite3
import stat
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlite_utils import Database

from edgarwatch.agreement import Agreement, Amount, Party
from edgarwatch.edgar.agreements import extract_agreements
from edgarwatch.edgar.ratelimit import SharedRateLimiter
from edgarwatch.filing import EASTERN, Company, Exhibit, Filing, FilingReport, Item
from edgarwatch.notifiers.sample import ITEM_101_TEXT
from edgarwatch.policy import NotifyPolicy
from edgarwatch.storage import NewNotification, Storage, process_owner
from edgarwatch.storage.outbox import owner_alive
from edgarwatch.storage.schema import migrations

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
        "m007_agreements",
        "m008_delivery_detail",
        "m009_search_stemming",
        "m010_amendments",
        "m011_messages",
        "m012_waits_for_read",
        "m013_polls_by_age",
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
    every = len(migrations.pending(Database(memory=True)))
    assert applied == [{"n": every}]  # each migration exactly once


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


# --- agreements ------------------------------------------------------------------------------


def seed_report(party_watch: tuple[str, ...] = ()) -> FilingReport:
    """The seed's Item 1.01 with the agreements the extractor reads, and a second item's."""
    title = "Entry into a Material Definitive Agreement"
    sicor = extract_agreements("1.01", ITEM_101_TEXT, registrant="IMMUNOGEN INC")
    loan = Agreement(
        "credit facility",
        "Term Loan Agreement",
        parties=(Party("ImmunoGen, Inc.", "registrant"), Party("Pfizer Inc.", "lender")),
        amounts=(Amount("$10.5 million", 10_500_000, "USD", "principal"),),
        exhibit="EX-10.2",
    )
    return FilingReport(
        FILING,
        items=(
            Item("1.01", title, ITEM_101_TEXT, sicor),
            Item("2.03", "Creation of a Direct Financial Obligation", "A loan.", (loan,)),
        ),
        party_watch=party_watch,
    )


def test_it_records_agreements_and_reads_them_back_onto_their_items(storage: Storage) -> None:
    storage.filings.record(FILING, source="feed", policy=NotifyPolicy.NEWS)
    written = seed_report(party_watch=("SICOR",))
    assert written.items[0].agreements[0].parties[1].short_name == "SICOR"

    storage.filings.record_enrichment(written, [NewNotification("slack", "default", ("1.01",))])
    read = storage.filings.report(FILING.accession)

    assert read is not None
    assert read.items == written.items
    assert read.agreements == written.agreements
    assert read.party_watch == ("SICOR",)


def test_it_keeps_one_queryable_row_per_agreement_and_per_party(storage: Storage) -> None:
    storage.filings.record(FILING, source="feed", policy=NotifyPolicy.NEWS)
    storage.filings.record_enrichment(seed_report(), [])
    db = storage.connections

    deals = db.query("SELECT item, position, type, amendment, headline, exhibit FROM agreements")
    assert deals == [
        {
            "item": "1.01",
            "position": 0,
            "type": "manufacturing/supply",
            "amendment": 0,
            "headline": "Manufacturing agreement with Società Italiana Corticosteroidi S.r.l "
            "(SICOR) — EUR 5,000,000 purchase price — through early 2008.",
            "exhibit": None,
        },
        {
            "item": "2.03",
            "position": 0,
            "type": "credit facility",
            "amendment": 0,
            "headline": "Term Loan Agreement with Pfizer Inc. — USD 10,500,000 principal.",
            "exhibit": "EX-10.2",
        },
    ]
    every_deal_with_pfizer = db.query(
        "SELECT a.accession, a.item, a.title FROM agreements a JOIN agreement_parties p "
        "USING (accession, item, position) WHERE p.normalized_name = 'pfizer' "
        "AND p.role != 'registrant'"
    )
    assert every_deal_with_pfizer == [
        {"accession": FILING.accession, "item": "2.03", "title": "Term Loan Agreement"}
    ]
    sicor = db.query(
        "SELECT name, role, short_name FROM agreement_parties WHERE short_name = 'SICOR'"
    )
    assert sicor == [
        {
            "name": "Società Italiana Corticosteroidi S.r.l",
            "role": "counterparty",
            "short_name": "SICOR",
        }
    ]


def test_a_new_read_replaces_the_agreements_recorded_before(storage: Storage) -> None:
    storage.filings.record(FILING, source="feed", policy=NotifyPolicy.NEWS)
    storage.filings.record_enrichment(seed_report(("SICOR",)), [])
    title = "Entry into a Material Definitive Agreement"
    storage.filings.record_enrichment(FilingReport(FILING, items=(Item("1.01", title, None),)), [])

    assert storage.connections.query("SELECT count(*) AS n FROM agreements") == [{"n": 0}]
    assert storage.connections.query("SELECT count(*) AS n FROM agreement_parties") == [{"n": 0}]
    read = storage.filings.report(FILING.accession)
    assert read is not None
    assert read.agreements == ()
    assert read.party_watch == ()


def test_an_unreadable_agreement_row_does_not_hide_the_filing(
    storage: Storage, caplog: pytest.LogCaptureFixture
) -> None:
    storage.filings.record(FILING, source="feed", policy=NotifyPolicy.NEWS)
    storage.filings.record_enrichment(seed_report(), [])
    storage.connections.db.execute(
        "UPDATE agreements SET amounts = '[{\"value\": \"x\"}]' WHERE item = '2.03'"
    )

    read = storage.filings.report(FILING.accession)

    assert read is not None
    assert [a.type for a in read.agreements] == ["manufacturing/supply"]
    assert "unreadable" in caplog.text


def test_the_agreement_tables_are_public(storage: Storage) -> None:
    db = storage.connections.db
    assert db.table("agreements").pks == ["accession", "item", "position"]
    assert {c.name for c in db.table("agreements").columns} == {
        "accession", "item", "position", "type", "amendment", "title", "date", "term",
        "headline", "exhibit", "parties", "amounts", "evidence",
    }  # fmt: skip
    assert {c.name for c in db.table("agreement_parties").columns} == {
        "accession", "item", "position", "name", "role", "short_name", "normalized_name",
    }  # fmt: skip
    assert [fk.other_table for fk in db.table("agreements").foreign_keys] == ["filings"]


# -- connections of threads that ended (issue 8.12) --------------------------------------


def pending(storage: Storage) -> int:
    rows = storage.connections.query("SELECT count(*) AS n FROM notifications")
    return int(rows[0]["n"])


def database_descriptors(database: Path) -> int:
    """Open descriptors of this process on the database, its WAL and its SHM."""
    count = 0
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        count += target.startswith(str(database))
    return count


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_it_closes_the_connections_of_threads_that_ended(tmp_path: Path) -> None:
    """Worker threads come and go (a dispatch pass's pool); their connections go with them."""
    database = tmp_path / "edgarwatch.db"
    storage = Storage.open(database)
    pending(storage)
    before = database_descriptors(database)
    for _ in range(60):  # one short-lived worker per pass, as Dispatcher.dispatch() makes
        worker = threading.Thread(target=pending, args=(storage,))
        worker.start()
        worker.join()
    pending(storage)
    assert database_descriptors(database) <= before + 3  # at most one more connection
    storage.close()
    assert database_descriptors(database) == 0


def test_it_never_closes_a_connection_a_live_thread_uses(tmp_path: Path) -> None:
    storage = Storage.open(tmp_path / "edgarwatch.db")
    opened, release = threading.Event(), threading.Event()
    results: list[int] = []

    def long_lived() -> None:
        pending(storage)
        opened.set()
        release.wait(10)
        results.append(pending(storage))  # its connection still works

    worker = threading.Thread(target=long_lived)
    worker.start()
    opened.wait(10)
    for _ in range(5):
        passing = threading.Thread(target=pending, args=(storage,))
        passing.start()
        passing.join()
    storage.connections.prune()
    release.set()
    worker.join()
    assert results == [0]
    storage.close()


# -- claim owners are process incarnations, not pids (issue 8.5) -------------------------


def claim_one(storage: Storage, owner: str, accession: str) -> None:
    filing = replace(FILING, accession=accession)
    storage.filings.record(filing, source="feed", policy=NotifyPolicy.NEWS)
    storage.filings.record_enrichment(
        FilingReport(filing), [NewNotification("slack", "default", ("1.01",))]
    )
    assert len(storage.outbox.claim_due(datetime.now(UTC), owner, limit=1)) == 1


def claimed_by(storage: Storage) -> set[str]:
    rows = storage.connections.query(
        "SELECT claimed_by FROM notifications WHERE claimed_by IS NOT NULL"
    )
    return {row["claimed_by"] for row in rows}


@pytest.mark.skipif(not Path("/proc/1/stat").is_file(), reason="needs /proc")
def test_a_restarted_container_frees_the_claims_of_its_previous_pid_1(storage: Storage) -> None:
    """PID 1 is alive (it is us, in a container) but it is not the process that claimed."""
    host = socket.gethostname()
    boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    stat = Path("/proc/1/stat").read_text()
    pid1_start = int(stat[stat.rfind(")") + 2 :].split()[19])
    me = process_owner()
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as sleeper:
        sleeper_stat = Path(f"/proc/{sleeper.pid}/stat").read_text()
        sleeper_start = sleeper_stat[sleeper_stat.rfind(")") + 2 :].split()[19]
        owners = {
            "previous pid 1": f"{host}:{boot}:1:{pid1_start + 12345}",
            "previous boot": f"{host}:{'0' * 8}-0000-0000-0000-{'0' * 12}:1:{pid1_start}",
            "live pid 1": f"{host}:{boot}:1:{pid1_start}",
            "live sleeper": f"{host}:{boot}:{sleeper.pid}:{sleeper_start}",
            "me": me,
            "old format, our pid": f"{host}:{os.getpid()}",
            "another host": f"elsewhere:{boot}:1:{pid1_start + 12345}",
        }
        for number, owner in enumerate(owners.values()):
            claim_one(storage, owner, f"0001104659-07-{number:06d}")
        assert storage.outbox.release_dead_claims() == 3
        assert claimed_by(storage) == {
            owners[k] for k in ("live pid 1", "live sleeper", "me", "another host")
        }
        sleeper.kill()
    assert storage.outbox.release_dead_claims() == 1  # the sleeper has ended
    assert storage.outbox.release_claims(me) == 1
    assert claimed_by(storage) == {owners["live pid 1"], owners["another host"]}


def test_process_owner_names_host_boot_pid_and_start_time() -> None:
    owner = process_owner()
    assert owner.startswith(f"{socket.gethostname()}:")
    if Path("/proc/self/stat").is_file():
        _host, boot, pid, start = owner.split(":")
        assert boot == Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        assert (int(pid), start.isdigit()) == (os.getpid(), True)


def test_message_claims_follow_the_same_liveness_rule() -> None:
    """Digests and alarms (storage.messages) judge claims by `owner_alive` too."""
    assert owner_alive(process_owner())
    host = socket.gethostname()
    assert not owner_alive(f"{host}:{os.getpid()}")  # our pid, an earlier incarnation
    if Path("/proc/self/stat").is_file():
        _, boot, pid, start = process_owner().split(":")
        assert not owner_alive(f"{host}:{boot}:{pid}:{int(start) + 1}")


# -- private files (issue 8.15) ----------------------------------------------------------


def test_it_creates_the_database_its_wal_and_shm_and_the_rate_file_private(
    tmp_path: Path,
) -> None:
    old = os.umask(0o022)  # the usual umask: files would be world-readable
    try:
        database = tmp_path / "edgarwatch.db"
        storage = Storage.open(database)
        storage.filings.record(FILING, source="feed", policy=NotifyPolicy.NEWS)
        SharedRateLimiter(8, database.with_name("edgarwatch.db.rate")).acquire()
        for name in ("edgarwatch.db", "edgarwatch.db-wal", "edgarwatch.db-shm"):
            assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o600, name
        assert stat.S_IMODE(os.stat(tmp_path / "edgarwatch.db.rate").st_mode) == 0o600
        storage.close()
    finally:
        os.umask(old)


def test_it_keeps_the_mode_an_operator_gave_an_existing_database(tmp_path: Path) -> None:
    database = tmp_path / "edgarwatch.db"
    Storage.open(database).close()
    database.chmod(0o640)  # shared with a group that runs Datasette
    Storage.open(database).close()
    assert stat.S_IMODE(database.stat().st_mode) == 0o640
