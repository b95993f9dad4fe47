"""Faults stay where they happen: one bad filing is that filing's failure, never the cycle's.

Regression tests for the faults that silently stopped notifications: a poison
filing first in line (a parser exception, a corrupt body) and a 200 answer
that is not the document (a maintenance page, a truncated body).
"""

from __future__ import annotations

import gzip
import io
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from edgarwatch.daemon import enrich
from edgarwatch.daemon.cycles import Cycles
from edgarwatch.daemon.runtime import Runtime, build_runtime
from edgarwatch.daemon.status import collect, storage_problems
from edgarwatch.edgar import sources
from edgarwatch.edgar.client import EdgarClient, EdgarUnavailable
from edgarwatch.edgar.paths import complete_submission_path
from edgarwatch.edgar.settings import EdgarSettings
from edgarwatch.filing import Filing, FilingReport
from edgarwatch.notifiers.console import ConsoleNotifier, ConsoleSettings
from edgarwatch.replay.server import Replay, ReplayServer
from edgarwatch.storage import Storage
from tests.support import USER_AGENT, company, eight_k, run_enrich, run_poll, settings_for

IMMUNOGEN = company(855654, "IMMUNOGEN INC", ticker="IMGN")
APPLE = company(320193, "Apple Inc.", ticker="AAPL")

MAINTENANCE_PAGE = (
    b"<html><head><title>SEC.gov | Maintenance</title></head><body>"
    b"<h1>We are performing scheduled maintenance</h1>"
    b"<p>Please try again later.</p></body></html>"
)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Replay, Runtime]]:
    replay = Replay()
    with ReplayServer(replay) as server:
        watch = {"ciks": [855654, 320193], "catch_up_days": 0}
        settings = settings_for(server.url, tmp_path / "edgarwatch.db", watch=watch)
        storage = Storage.open(settings.storage.path)
        console = ConsoleNotifier(ConsoleSettings(stream=io.StringIO()))
        context = build_runtime(settings, storage=storage, notifiers={"console": console})
        yield replay, context
        context.close()


def cycles_for(context: Runtime) -> Cycles:
    return Cycles(context)


def filing_row(context: Runtime, accession: str) -> dict[str, object]:
    return context.storage.connections.query(
        "SELECT enrich_status, enrich_attempts, enrich_error, next_enrich_at FROM filings "
        "WHERE accession = ?",
        [accession],
    )[0]


def queued(context: Runtime) -> list[str]:
    rows = context.storage.connections.query("SELECT accession FROM notifications")
    return [str(row["accession"]) for row in rows]


def publish(replay: Replay, *filings: object) -> None:
    for filing in filings:
        replay.add(filing)  # type: ignore[arg-type]
        replay.publish(filing.accession)  # type: ignore[attr-defined]


def poison(monkeypatch: pytest.MonkeyPatch, accession: str) -> None:
    """Make reading one filing raise what the old code did not expect (a parser bug,
    SelectolaxError, a requests error outside EdgarError): no protocol produces
    "any exception", so this one place patches the reader."""
    real = sources.read_filing

    def read(client: EdgarClient, filing: Filing) -> FilingReport:
        if filing.accession == accession:
            raise RuntimeError("the parser choked on hostile markup")
        return real(client, filing)

    monkeypatch.setattr(enrich, "read_filing", read)


def test_it_contains_any_exception_to_the_poison_filing(
    world: tuple[Replay, Runtime], monkeypatch: pytest.MonkeyPatch
) -> None:
    replay, context = world
    cycles = cycles_for(context)
    assert cycles.poll().ok  # the baseline
    bad, fine = eight_k(IMMUNOGEN, ["1.01"]), eight_k(APPLE, ["1.01"])
    publish(replay, bad, fine)
    poison(monkeypatch, bad.accession)
    outcome = cycles.poll()
    assert outcome.ok, outcome.summary
    read = cycles.read()  # reading is a loop of its own, after the poll recorded both
    assert queued(context) == [fine.accession]
    assert read.notifications == 1
    row = filing_row(context, bad.accession)
    assert row["enrich_status"] == "pending"
    assert row["enrich_attempts"] == 1
    assert row["next_enrich_at"] is not None
    assert "RuntimeError: the parser choked" in str(row["enrich_error"])
    # The next cycle does not find it first in line again: it waits for its backoff.
    assert run_enrich(context).failed == 0


def test_a_poison_filing_past_the_give_up_age_notifies_with_its_declared_items(
    world: tuple[Replay, Runtime], monkeypatch: pytest.MonkeyPatch
) -> None:
    replay, context = world
    run_poll(context)
    bad = eight_k(IMMUNOGEN, ["1.01"])
    publish(replay, bad)
    run_poll(context)
    poison(monkeypatch, bad.accession)
    context.storage.connections.db.execute(
        "UPDATE filings SET recorded_at = ?", [(datetime.now(UTC) - timedelta(hours=1)).isoformat()]
    )
    result = run_enrich(context)
    assert result.failed == 1
    assert result.notifications == 1
    assert filing_row(context, bad.accession)["enrich_status"] == "partial"


def test_a_document_whose_root_is_hidden_is_read_not_raised(
    world: tuple[Replay, Runtime],
) -> None:
    replay, context = world
    run_poll(context)
    filing = eight_k(IMMUNOGEN, ["1.01"])
    publish(replay, filing)
    run_poll(context)
    replay.serve(
        complete_submission_path(IMMUNOGEN.cik, filing.accession),
        b"<html hidden><body><p>Item 1.01 Entry into a Material Definitive Agreement</p>"
        b"<p>The Company signed a licence.</p></body></html>",
    )
    result = run_enrich(context)
    assert (result.enriched, result.failed, result.notifications) == (1, 0, 1)


def test_a_200_that_is_not_the_document_is_a_failed_read_and_retried(
    world: tuple[Replay, Runtime],
) -> None:
    replay, context = world
    run_poll(context)
    filing = eight_k(IMMUNOGEN, {"1.01": "On May 1 the Company signed a licence with Acme."})
    publish(replay, filing)
    run_poll(context)
    path = complete_submission_path(IMMUNOGEN.cik, filing.accession)
    replay.serve(path, MAINTENANCE_PAGE)
    first = run_enrich(context)
    assert (first.enriched, first.failed, first.notifications) == (0, 1, 0)
    row = filing_row(context, filing.accession)
    assert row["enrich_status"] == "pending"
    assert "no text for declared item(s) 1.01" in str(row["enrich_error"])
    del replay.state.raw[path]  # EDGAR is back
    context.storage.connections.db.execute("UPDATE filings SET next_enrich_at = NULL")
    second = run_enrich(context)
    assert (second.enriched, second.notifications) == (1, 1)
    text = context.storage.connections.query(
        "SELECT text FROM items WHERE accession = ? AND number = '1.01'", [filing.accession]
    )[0]["text"]
    assert "licence with Acme" in str(text)
    assert filing_row(context, filing.accession)["enrich_status"] == "done"


def test_a_truncated_document_past_the_give_up_age_keeps_what_was_read(
    world: tuple[Replay, Runtime],
) -> None:
    replay, context = world
    run_poll(context)
    items = {"1.01": "The Company entered into a supply agreement.", "5.02": "Mr. Doe resigned."}
    filing = eight_k(IMMUNOGEN, items)
    publish(replay, filing)
    run_poll(context)
    path = complete_submission_path(IMMUNOGEN.cik, filing.accession)
    whole = replay.state.filings[filing.accession].documents[0].content
    cut = whole[: whole.index(b"Mr. Doe")]
    replay.serve(path, cut)
    context.storage.connections.db.execute(
        "UPDATE filings SET recorded_at = ?", [(datetime.now(UTC) - timedelta(hours=1)).isoformat()]
    )
    result = run_enrich(context)
    assert (result.failed, result.notifications) == (1, 1)
    row = filing_row(context, filing.accession)
    assert row["enrich_status"] == "partial"
    assert "5.02" in str(row["enrich_error"])
    texts = {
        r["number"]: r["text"]
        for r in context.storage.connections.query(
            "SELECT number, text FROM items WHERE accession = ?", [filing.accession]
        )
    }
    assert "supply agreement" in str(texts["1.01"])


def test_status_is_unhealthy_while_a_notifiable_filing_waits_past_the_give_up_age(
    world: tuple[Replay, Runtime],
) -> None:
    replay, context = world
    run_poll(context)
    filing = eight_k(IMMUNOGEN, ["1.01"])
    filing = type(filing)(**{**filing.__dict__, "items_in_feed": False})  # items unknown
    publish(replay, filing)
    run_poll(context)
    context.storage.state.poll_succeeded(datetime.now(UTC))
    assert collect(context.settings, context.storage)["healthy"]
    context.storage.connections.db.execute(
        "UPDATE filings SET recorded_at = ? WHERE accession = ?",
        [(datetime.now(UTC) - timedelta(minutes=30)).isoformat(), filing.accession],
    )
    report = collect(context.settings, context.storage)
    assert not report["healthy"]
    assert any("waiting for its documents" in p for p in report["problems"]), report["problems"]


class _CorruptGzip(BaseHTTPRequestHandler):
    """Answers every GET with a gzip body cut in half: requests raises on reading it."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = gzip.compress(json.dumps({"x": "y" * 5000}).encode())
        self.send_response(200)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2] + b"\x00garbage" * 8)
        self.wfile.flush()
        self.close_connection = True


def test_a_corrupt_body_is_an_edgar_failure_not_a_crash() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CorruptGzip)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        settings = EdgarSettings(
            user_agent=USER_AGENT, base_url=url, data_url=url, max_retries=1, read_timeout=2.0
        )
        client = EdgarClient(settings)
        with pytest.raises(EdgarUnavailable):
            client.get("/files/company_tickers.json")
        assert client.requests_sent == 2  # retried once, like any transient failure
    finally:
        server.shutdown()
        server.server_close()


def test_a_first_poll_that_dies_while_recording_the_baseline_announces_none_of_it(
    world: tuple[Replay, Runtime], monkeypatch: pytest.MonkeyPatch
) -> None:
    replay, context = world
    already = [eight_k(IMMUNOGEN, ["1.01"]) for _ in range(5)]
    publish(replay, *already)
    real = context.storage.filings._record
    calls = {"n": 0}

    def dying_record(*args: Any) -> bool:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("killed mid-baseline")
        return real(*args)

    monkeypatch.setattr(context.storage.filings, "_record", dying_record)
    cycles = cycles_for(context)
    assert not cycles.poll().ok
    assert context.storage.state.feed_cursor().baseline_at is None
    assert context.storage.filings.recorded(f.accession for f in already) == set()  # none
    monkeypatch.setattr(context.storage.filings, "_record", real)
    assert cycles.poll().ok
    assert context.storage.state.feed_cursor().baseline_at is not None
    run_enrich(context)
    assert queued(context) == []
    recorded = context.storage.connections.query("SELECT notify FROM filings")
    assert len(recorded) == 5
    assert all(row["notify"] == "baseline" for row in recorded)


def test_an_unwritable_database_is_said_once_per_state_change_with_its_cause(
    world: tuple[Replay, Runtime], caplog: pytest.LogCaptureFixture
) -> None:
    replay, context = world
    cycles = cycles_for(context)
    assert cycles.poll().ok
    db = context.storage.connections.db  # this thread's connection: the one the poll uses
    db.execute("PRAGMA query_only = ON")  # what a read-only file answers: SQLITE_READONLY
    outcomes = []
    for _ in range(3):
        publish(replay, eight_k(IMMUNOGEN, ["1.01"]))
        outcomes.append(cycles.poll())
    assert [o.ok for o in outcomes] == [False, False, False]
    assert all("database is read-only" in o.summary for o in outcomes)
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1
    assert "database is read-only" in errors[0].getMessage()
    assert errors[0].exc_info is None  # a state, not a crash: no traceback
    db.execute("PRAGMA query_only = OFF")
    caplog.clear()
    assert cycles.poll().ok
    assert any("can be written again" in r.getMessage() for r in caplog.records)
    # Nothing was lost: the filings the read-only polls saw are recorded now.
    assert len(context.storage.connections.query("SELECT accession FROM filings")) == 3


def test_a_full_disk_is_named_as_such(world: tuple[Replay, Runtime]) -> None:
    replay, context = world
    cycles = cycles_for(context)
    assert cycles.poll().ok
    db = context.storage.connections.db
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")  # what a full disk answers: SQLITE_FULL
    for _ in range(30):
        publish(replay, eight_k(IMMUNOGEN, {"1.01": "x" * 3000}))
    outcome = cycles.poll()
    assert not outcome.ok
    assert "disk full" in outcome.summary


def test_status_names_a_read_only_database_and_a_full_disk(tmp_path: Path) -> None:
    database = tmp_path / "edgarwatch.db"
    database.write_bytes(b"")
    full = type("Usage", (), {"free": 4096})()
    roomy = type("Usage", (), {"free": 10**12})()
    assert storage_problems(database, lambda _: roomy, lambda _: True) == []
    assert storage_problems(database, lambda _: roomy, lambda p: p != database) == [
        f"database is read-only: {database} is not writable by this user"
    ]
    assert storage_problems(database, lambda _: full, lambda _: True) == [
        "disk full: 4 KiB free on the database's file system"
    ]


def test_a_long_retry_after_is_said_once_not_as_an_error_every_cycle(
    world: tuple[Replay, Runtime], caplog: pytest.LogCaptureFixture
) -> None:
    """`503 Retry-After: 3600` on the feed: the polls skip, one request in all, and the
    log says so twice (the client when the deferral begins, the cycle once), never at
    error level every cycle."""
    replay, context = world
    cycles = cycles_for(context)
    assert cycles.poll().ok
    replay.fail("getcurrent", status=503, times=1000, retry_after="3600")
    before = len(replay.requests())
    caplog.clear()
    outcomes = [cycles.poll() for _ in range(5)]
    assert [o.ok for o in outcomes] == [False] * 5
    assert all("asked us to wait until" in o.summary for o in outcomes), outcomes[0].summary
    assert len(replay.requests()) - before == 1
    assert [r for r in caplog.records if r.levelname == "ERROR"] == []
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 2, warnings
    assert "no request goes to it before" in warnings[0]
    assert "poll skipped" in warnings[1]
