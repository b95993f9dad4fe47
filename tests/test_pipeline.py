"""The poll pipeline against the EDGAR replay: discover, record, read, queue.

These call the cycles directly (one cycle = one plain function), with the
real client, storage and replay over loopback HTTP.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from edgarwatch.daemon.cycles import Cycles
from edgarwatch.daemon.runtime import Runtime, build_runtime
from edgarwatch.filing import EASTERN
from edgarwatch.notifiers.console import ConsoleNotifier, ConsoleSettings
from edgarwatch.replay.server import Replay, ReplayServer
from edgarwatch.storage import Storage
from edgarwatch.storage.timefmt import iso
from tests.support import (
    company,
    eight_k,
    minutes_ago,
    run_catch_up,
    run_enrich,
    run_poll,
    settings_for,
)

IMMUNOGEN = company(855654, "IMMUNOGEN INC", ticker="IMGN")
APPLE = company(320193, "Apple Inc.", ticker="AAPL")
STRANGER = company(1999999, "UNWATCHED CORP")


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Replay, str, Path]]:
    replay = Replay()
    with ReplayServer(replay) as server:
        yield replay, server.url, tmp_path / "edgarwatch.db"


def context_for(
    url: str,
    database: Path,
    *,
    ciks: list[int] | None = None,
    everyone: bool = False,
    **sections: object,
) -> Runtime:
    watch = {"ciks": ciks if ciks is not None else [855654], "all": everyone, "catch_up_days": 0}
    settings = settings_for(url, database, watch=watch, **sections)
    storage = Storage.open(database)
    console = ConsoleNotifier(ConsoleSettings(stream=io.StringIO()))
    context = build_runtime(settings, storage=storage, notifiers={"console": console})
    Cycles(context).sync_watchlist()
    return context


def outbox(context: Runtime) -> list[dict[str, object]]:
    return context.storage.connections.query("SELECT * FROM notifications ORDER BY rowid")


def feed_requests(replay: Replay) -> int:
    return len(replay.requests("action=getcurrent"))


def test_the_first_poll_is_a_baseline_and_notifies_nothing(world: tuple[Replay, str, Path]) -> None:
    replay, url, db = world
    old = eight_k(IMMUNOGEN, ["1.01", "9.01"])
    replay.add(old)
    replay.publish(old.accession, minutes_ago(20))
    context = context_for(url, db)
    result = run_poll(context)
    run_enrich(context)
    assert result.baseline
    assert context.storage.filings.recorded([old.accession]) == {old.accession}
    assert outbox(context) == []


def test_an_idle_poll_costs_one_request_however_many_companies_are_watched(
    world: tuple[Replay, str, Path],
) -> None:
    replay, url, db = world
    for n in range(30):
        filing = eight_k(company(3_000_000 + n, f"FILER {n}"), ["8.01"])
        replay.add(filing)
        replay.publish(filing.accession, minutes_ago(60 - n))
    context = context_for(url, db, ciks=list(range(1, 10_001)))
    run_poll(context)
    replay.clear_requests()
    for _ in range(3):
        run_poll(context)
        run_enrich(context)
    assert len(replay.requests()) == 3
    assert feed_requests(replay) == 3


def test_a_burst_larger_than_a_page_is_paged_back_to_the_cursor(
    world: tuple[Replay, str, Path],
) -> None:
    replay, url, db = world
    seed = eight_k(STRANGER, ["8.01"])
    replay.add(seed)
    replay.publish(seed.accession, minutes_ago(120))
    context = context_for(url, db, ciks=[855654])
    run_poll(context)  # baseline
    burst = []
    for n in range(260):  # 260 filings, one entry each: three feed pages
        filing = eight_k(company(4_000_000 + n, f"BURST {n}"), ["7.01"])
        burst.append(filing)
        replay.add(filing)
    watched = eight_k(IMMUNOGEN, ["1.01"])
    replay.add(watched)
    for n, filing in enumerate(burst[:130]):
        replay.publish(filing.accession, minutes_ago(50 - n * 0.1))
    replay.publish(watched.accession, minutes_ago(36))  # deep in the burst: page 3
    for n, filing in enumerate(burst[130:]):
        replay.publish(filing.accession, minutes_ago(30 - n * 0.1))
    replay.clear_requests()
    result = run_poll(context)
    # The small page (10 entries) is all new, so the poll pages back with count=100
    # to the first accession it knows: 261 entries, three full pages.
    assert result.pages == 1 + 3
    pages = [r.path for r in replay.requests("action=getcurrent")]
    assert ["count=10&" in p for p in pages] == [True, False, False, False]
    assert not result.gap
    assert [f.accession for f in result.recorded] == [watched.accession]
    assert context.storage.state.unseen([f.accession for f in burst]) == set()


def test_a_503_past_the_end_of_the_feed_is_understood(world: tuple[Replay, str, Path]) -> None:
    replay, url, db = world
    context = context_for(url, db)
    for n in range(100):  # exactly one full page: the next page answers 503
        filing = eight_k(company(5_000_000 + n, f"F{n}"), ["8.01"])
        replay.add(filing)
        replay.publish(filing.accession, minutes_ago(200 - n))
    run_poll(context)
    state = context.storage.state
    state.save_feed_cursor(
        replace(state.feed_cursor(), position=datetime.now(UTC) - timedelta(days=3))
    )
    # Down for three days: nothing on the feed now was seen before (its accessions
    # have been pruned from `seen`), so the poll pages to the feed's end.
    state.forget_seen_before(datetime.now(UTC) + timedelta(minutes=1))
    replay.clear_requests()
    result = run_poll(context)
    assert len(replay.requests("start=100")) == 1
    assert replay.requests("start=100")[0].status == 503
    assert result.gap  # the feed ended before the cursor: catch-up is due
    assert context.storage.state.catch_up_due()


def test_a_watched_subject_of_another_filers_8k_matches(world: tuple[Replay, str, Path]) -> None:
    replay, url, db = world
    context = context_for(url, db)
    run_poll(context)
    merger = eight_k(
        [company(6_000_001, "ACQUIRER PLC"), company(855654, "IMMUNOGEN INC", "Subject")],
        ["1.01", "9.01"],
    )
    replay.add(merger)
    replay.publish(merger.accession)
    result = run_poll(context)
    assert [f.accession for f in result.recorded] == [merger.accession]
    roles = context.storage.connections.query(
        "SELECT cik, role FROM filing_companies WHERE accession = ? ORDER BY cik",
        [merger.accession],
    )
    assert roles == [{"cik": 855654, "role": "Subject"}, {"cik": 6000001, "role": "Filer"}]


def test_a_late_disseminated_filing_is_still_caught(world: tuple[Replay, str, Path]) -> None:
    replay, url, db = world
    context = context_for(url, db)
    run_poll(context)
    newer = eight_k(STRANGER, ["8.01"])
    replay.add(newer)
    replay.publish(newer.accession, minutes_ago(1))
    run_poll(context)
    late = eight_k(IMMUNOGEN, ["1.01"])  # accepted before `newer`, shown after it
    replay.add(late)
    replay.publish(late.accession, minutes_ago(3))
    result = run_poll(context)
    assert [f.accession for f in result.recorded] == [late.accession]
    run_enrich(context)
    assert [row["accession"] for row in outbox(context)] == [late.accession]


def test_enrichment_stores_item_text_exhibits_and_queues_one_notification(
    world: tuple[Replay, str, Path],
) -> None:
    replay, url, db = world
    context = context_for(url, db)
    run_poll(context)
    filing = eight_k(
        IMMUNOGEN,
        {
            "1.01": "On April 30, 2007, ImmunoGen entered into a manufacturing agreement with SICOR.",
            "9.01": "(d) Exhibit 10.1 Manufacturing Agreement.",
        },
        exhibits=[("EX-10.1", "ex10-1.htm", "MANUFACTURING AGREEMENT")],
    )
    replay.add(filing)
    replay.publish(filing.accession)
    run_poll(context)
    result = run_enrich(context)
    assert result.notifications == 1
    report = context.storage.filings.report(filing.accession)
    assert report is not None
    item = report.item("1.01")
    assert item is not None
    assert item.text is not None
    assert item.text.startswith("On April 30, 2007, ImmunoGen")
    assert "SIGNATURES" not in item.text
    assert [e.type for e in report.material_contracts] == ["EX-10.1"]
    assert report.material_contracts[0].url.startswith(url)
    # Seen again (catch-up, a restart): still one notification.
    run_catch_up(context)
    run_enrich(context)
    assert len(outbox(context)) == 1


def test_a_large_filing_is_read_through_its_index_page(world: tuple[Replay, str, Path]) -> None:
    replay, url, db = world
    context = context_for(url, db)
    run_poll(context)
    filing = eight_k(
        IMMUNOGEN,
        {"1.01": "A supply agreement worth $10 million."},
        exhibits=[("EX-10.1", "ex101.htm", "SUPPLY AGREEMENT")],
        padding=1_200_000,
    )
    replay.add(filing)
    replay.publish(filing.accession)
    run_poll(context)
    replay.clear_requests()
    run_enrich(context)
    paths = [r.path for r in replay.requests()]
    assert any(p.endswith("-index.htm") for p in paths)
    assert any(p.endswith("primary-8k.htm") for p in paths)
    assert not any(p.endswith(".txt") for p in paths)
    report = context.storage.filings.report(filing.accession)
    assert report is not None
    item = report.item("1.01")
    assert item is not None
    assert item.text == "A supply agreement worth $10 million."


def test_unreadable_documents_are_retried_then_notified_without_text(
    world: tuple[Replay, str, Path],
) -> None:
    replay, url, db = world
    context = context_for(url, db, notify={"enrich_give_up_minutes": 0.001})
    run_poll(context)
    filing = eight_k(IMMUNOGEN, ["1.01"])
    replay.add(filing)
    replay.publish(filing.accession)
    run_poll(context)
    replay.fail(filing.accession.replace("-", ""), status=404, times=100)
    first = run_enrich(context)  # recorded_at is "just now": give-up age already passed
    assert first.failed == 1
    rows = outbox(context)
    assert len(rows) == 1
    assert json.loads(str(rows[0]["items"])) == ["1.01"]
    status = context.storage.connections.query(
        "SELECT enrich_status, enrich_error FROM filings WHERE accession = ?", [filing.accession]
    )[0]
    assert status["enrich_status"] == "partial"
    assert "404" in str(status["enrich_error"])


def test_a_failed_read_is_retried_on_a_later_cycle_without_blocking_others(
    world: tuple[Replay, str, Path],
) -> None:
    replay, url, db = world
    context = context_for(url, db, ciks=[855654, 320193])
    run_poll(context)
    broken, fine = eight_k(IMMUNOGEN, ["1.01"]), eight_k(APPLE, ["1.01"])
    for filing in (broken, fine):
        replay.add(filing)
        replay.publish(filing.accession)
    run_poll(context)
    replay.fail(broken.accession.replace("-", ""), status=500, times=20)
    result = run_enrich(context)
    assert result.failed == 1
    assert result.notifications == 1
    pending = context.storage.filings.due_for_enrichment(datetime.now(UTC) + timedelta(hours=1))
    assert [p.filing.accession for p in pending] == [broken.accession]
    replay.state.faults.clear()
    context.storage.connections.db.execute("UPDATE filings SET next_enrich_at = NULL")
    assert run_enrich(context).notifications == 1


def test_catch_up_reads_daily_indexes_for_a_gap_older_than_the_feed(
    world: tuple[Replay, str, Path],
) -> None:
    replay, url, db = world
    context = context_for(url, db, ciks=[855654])
    state = context.storage.state
    run_poll(context)
    # The daemon was down for days: its last catch-up was a week ago.
    week_ago = datetime.now(UTC) - timedelta(days=7)
    state.catch_up_done(week_ago)
    state.save_feed_cursor(replace(state.feed_cursor(), baseline_at=week_ago - timedelta(days=30)))
    context.storage.connections.db.execute(
        "UPDATE watched SET added_at = ?", [(week_ago - timedelta(days=30)).isoformat()]
    )
    missed = eight_k(IMMUNOGEN, ["1.01"])
    replay.add(missed)
    day = (datetime.now(EASTERN) - timedelta(days=5)).replace(hour=11, minute=0)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    replay.publish_history(missed.accession, day)
    replay.build_indexes_through(datetime.now(EASTERN).date() - timedelta(days=1))
    recent = eight_k(STRANGER, ["8.01"])
    replay.add(recent)
    replay.publish(recent.accession, minutes_ago(5))  # the feed only reaches 5 minutes back
    result = run_catch_up(context)
    assert missed.accession in {f.accession for f in result.recorded}
    assert day.date() in result.index_days
    run_enrich(context)
    assert [row["accession"] for row in outbox(context)] == [missed.accession]


def test_catch_up_compares_submissions_of_a_small_watchlist(
    world: tuple[Replay, str, Path],
) -> None:
    replay, url, db = world
    context = context_for(url, db, ciks=[855654, 320193])
    run_poll(context)
    state = context.storage.state
    state.save_feed_cursor(
        replace(state.feed_cursor(), baseline_at=datetime.now(UTC) - timedelta(hours=3))
    )
    state.catch_up_done(datetime.now(UTC) - timedelta(hours=2))
    hidden = eight_k(APPLE, ["1.01", "9.01"])  # never on the feed (it skipped it)
    replay.add(hidden)
    replay.publish_history(hidden.accession, datetime.now(UTC) - timedelta(minutes=90))
    replay.clear_requests()
    result = run_catch_up(context)
    assert result.companies_checked == 2
    assert len(replay.requests("/submissions/")) == 2
    assert [f.accession for f in result.recorded] == [hidden.accession]
    filing = context.storage.filings.get(hidden.accession)
    assert filing is not None
    assert filing.accepted_at is not None
    assert abs(filing.accepted_at - (datetime.now(UTC) - timedelta(minutes=90))) < timedelta(
        seconds=2
    )


def test_catch_up_cost_is_bounded_for_ten_thousand_companies(
    world: tuple[Replay, str, Path],
) -> None:
    replay, url, db = world
    context = context_for(url, db, ciks=list(range(1, 10_001)))
    run_poll(context)
    context.storage.state.catch_up_done(datetime.now(UTC) - timedelta(hours=1))
    replay.clear_requests()
    run_catch_up(context)
    assert len(replay.requests()) <= 3  # the feed (and at most a daily index), not 10,000 JSONs
    assert replay.requests("/submissions/") == []


def test_a_newly_watched_company_is_caught_up_without_notifying(
    world: tuple[Replay, str, Path], tmp_path: Path
) -> None:
    replay, url, db = world
    watch_file = tmp_path / "watchlist.txt"
    watch_file.write_text("855654\n")
    settings = settings_for(url, db, watch={"file": str(watch_file), "catch_up_days": 30})
    storage = Storage.open(db)
    context = build_runtime(
        settings,
        storage=storage,
        notifiers={"console": ConsoleNotifier(ConsoleSettings(stream=io.StringIO()))},
    )
    cycles = Cycles(context)
    cycles.poll()
    history = eight_k(APPLE, ["1.01"])
    replay.add(history)
    replay.publish_history(history.accession, datetime.now(UTC) - timedelta(days=3))
    watch_file.write_text("855654\n320193  # Apple\n")
    cycles.poll()
    cycles.read()
    assert context.storage.filings.recorded([history.accession]) == {history.accession}
    assert outbox(context) == []
    fresh = eight_k(APPLE, ["1.01"])
    replay.add(fresh)
    replay.publish(fresh.accession)
    cycles.poll()
    cycles.read()  # reading is its own loop: the poll only records
    assert [row["accession"] for row in outbox(context)] == [fresh.accession]


def test_watching_the_whole_market_records_and_notifies_any_filer(
    world: tuple[Replay, str, Path],
) -> None:
    replay, url, db = world
    context = context_for(url, db, ciks=[], everyone=True)
    run_poll(context)
    deal = eight_k(company(7_000_001, "SOME SMALL CAP INC"), ["1.01", "9.01"])
    other = eight_k(company(7_000_002, "ANOTHER CORP"), ["8.01"])
    for filing in (deal, other):
        replay.add(filing)
        replay.publish(filing.accession)
    result = run_poll(context)
    assert {f.accession for f in result.recorded} == {deal.accession, other.accession}
    assert run_enrich(context).notifications == 1
    assert [row["accession"] for row in outbox(context)] == [deal.accession]


def test_the_catch_up_forgets_accessions_seen_long_ago(world: tuple[Replay, str, Path]) -> None:
    replay, url, db = world
    for minutes in (20, 10):
        filing = eight_k(STRANGER, ["8.01"])
        replay.add(filing)
        replay.publish(filing.accession, minutes_ago(minutes))
    context = context_for(url, db)
    run_poll(context)
    seen = context.storage.connections.db
    assert seen.execute("SELECT count(*) FROM seen").fetchone()[0] == 2
    seen.execute("UPDATE seen SET seen_at = ? WHERE rowid = 1", [iso(minutes_ago(8 * 24 * 60))])
    run_catch_up(context)
    assert seen.execute("SELECT count(*) FROM seen").fetchone()[0] == 1


def test_a_watched_subject_found_in_its_submissions_json_is_not_stored_as_the_filer(
    world: tuple[Replay, str, Path],
) -> None:
    replay, url, db = world
    context = context_for(url, db)
    run_poll(context)
    acquirer = company(6_000_001, "ACQUIRER PLC")
    merger = eight_k([acquirer, company(855654, "IMMUNOGEN INC", "Subject")], ["1.01"])
    replay.drop_from_feed(merger.accession)  # only IMMUNOGEN's submissions JSON shows it
    replay.publish(merger)
    run_catch_up(context)
    row = context.storage.connections.query(
        "SELECT source, cik, company FROM filings WHERE accession = ?", [merger.accession]
    )[0]
    assert row["source"] == "submissions"
    roles = context.storage.connections.query(
        "SELECT cik, role FROM filing_companies WHERE accession = ?", [merger.accession]
    )
    assert roles == [{"cik": 855654, "role": None}]  # the JSON says nothing of roles
    run_enrich(context)  # the SEC header names the Filer
    row = context.storage.connections.query(
        "SELECT cik, company FROM filings WHERE accession = ?", [merger.accession]
    )[0]
    assert (row["cik"], row["company"]) == (6_000_001, "ACQUIRER PLC")
    roles = context.storage.connections.query(
        "SELECT cik, role FROM filing_companies WHERE accession = ? ORDER BY cik",
        [merger.accession],
    )
    assert roles == [{"cik": 855654, "role": "Subject"}, {"cik": 6_000_001, "role": "Filer"}]
