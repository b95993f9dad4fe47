"""Hostile or broken input from the network is logged and skipped, never fatal."""

from __future__ import annotations

import io
import json
import resource
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from edgarwatch.daemon.cycles import Cycles
from edgarwatch.daemon.runtime import build_runtime
from edgarwatch.edgar.feed import parse_feed
from edgarwatch.edgar.paths import Rebaser
from edgarwatch.edgar.sources import company_filings
from edgarwatch.notifiers.console import ConsoleNotifier, ConsoleSettings
from edgarwatch.replay.server import Replay
from edgarwatch.storage import Storage
from tests.process import edgarwatch
from tests.support import settings_for, write_config

BILLION_LAUGHS = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lollollollollollollollollollol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol9;</title>
<entry><title>8-K - &lol9; (0000855654) (Filer)</title>
<summary type="html">&lol9;</summary>
<id>urn:tag:sec.gov,2008:accession-number=0001104659-26-000001</id>
<updated>2026-01-02T10:00:00-05:00</updated></entry></feed>"""


def test_an_entity_expansion_bomb_is_not_expanded() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    page = parse_feed(BILLION_LAUGHS, Rebaser("https://www.sec.gov", "https://data.sec.gov"))
    assert time.monotonic() - started < 2
    assert (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000
    )  # KB: no 3 GB string
    assert all(len(entry.company.name) < 100 for entry in page.entries)


def test_a_feed_that_is_not_a_feed_fails_the_poll_cleanly(
    edgar: tuple[Replay, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    replay, url = edgar
    replay.serve(
        "/cgi-bin/browse-edgar", b"<html><body>SEC.gov is undergoing maintenance</body></html>"
    )
    settings = settings_for(url, tmp_path / "db.sqlite", watch={"ciks": [855654]})
    storage = Storage.open(tmp_path / "db.sqlite")
    context = build_runtime(
        settings,
        storage=storage,
        notifiers={"console": ConsoleNotifier(ConsoleSettings(stream=io.StringIO()))},
    )
    cycles = Cycles(context)
    outcome = cycles.poll()
    assert not outcome.ok
    assert "is not the Atom feed" in outcome.summary
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert errors
    assert all(r.exc_info is None for r in errors)  # an expected failure: no traceback
    assert storage.state.last_cycle("poll")["ok"] == 0  # type: ignore[index]


def test_backfill_follows_older_submissions_pages(
    edgar: tuple[Replay, str], tmp_path: Path
) -> None:
    replay, url = edgar
    columns = (
        "accessionNumber",
        "filingDate",
        "acceptanceDateTime",
        "form",
        "items",
        "primaryDocument",
    )

    def rows(*filings: tuple[str, str, str, str]) -> dict[str, list[str]]:
        table: dict[str, list[str]] = {c: [] for c in columns}
        for accession, day, form, items in filings:
            for column, value in zip(
                columns,
                (accession, day, f"{day}T16:30:00.000Z", form, items, "doc.htm"),
                strict=True,
            ):
                table[column].append(value)
        return table

    recent = rows(("0000320193-24-000005", "2024-02-01", "8-K", "2.02,9.01"))
    older = rows(
        ("0000912057-00-002128", "2000-01-24", "8-K", "5,7"),
        ("0000912057-99-000001", "1999-03-01", "10-K", ""),
    )
    replay.serve(
        "/submissions/CIK0000320193.json",
        json.dumps(
            {
                "cik": "0000320193",
                "name": "Apple Inc.",
                "filings": {
                    "recent": recent,
                    "files": [
                        {
                            "name": "CIK0000320193-submissions-001.json",
                            "filingFrom": "1994-01-26",
                            "filingTo": "2014-04-22",
                        }
                    ],
                },
            }
        ).encode(),
        content_type="application/json",
    )
    replay.serve(
        "/submissions/CIK0000320193-submissions-001.json",
        json.dumps(older).encode(),
        content_type="application/json",
    )
    settings = settings_for(url, tmp_path / "db.sqlite", watch={"ciks": [320193]})
    context = build_runtime(settings, storage=Storage.open(tmp_path / "db.sqlite"), notifiers={})
    history = company_filings(context.client, 320193, date(1999, 6, 1))
    assert [(f.accession, f.items, f.company) for f in history] == [
        ("0000320193-24-000005", ("2.02", "9.01"), "Apple Inc."),
        ("0000912057-00-002128", ("5", "7"), "Apple Inc."),  # legacy numbers kept, name borrowed
    ]
    assert len(replay.requests("/submissions/")) == 2
    recent_only = company_filings(context.client, 320193, date(2015, 1, 1))
    assert [f.accession for f in recent_only] == ["0000320193-24-000005"]
    assert len(replay.requests("/submissions/")) == 3  # the old page is not fetched for 2015+


@pytest.mark.slow
def test_an_idle_poll_command_costs_one_request(edgar: tuple[Replay, str], tmp_path: Path) -> None:
    replay, url = edgar
    config = write_config(
        tmp_path / "config.toml", url, tmp_path / "db.sqlite", watch="ciks = [855654, 320193]"
    )
    first = edgarwatch("--config", str(config), "poll")
    assert first.returncode == 0, first.stderr
    replay.clear_requests()
    second = edgarwatch("--config", str(config), "poll")
    assert second.returncode == 0, second.stderr
    assert [r.path.split("?")[0] for r in replay.requests()] == ["/cgi-bin/browse-edgar"]
    # Once the catch-up is due again (its time lives in the database), it runs; with
    # full-text search on, it compares each company's submissions JSON once a day.
    storage = Storage.open(tmp_path / "db.sqlite")
    due = datetime.now(UTC) - timedelta(hours=2)
    storage.state.catch_up_done(due)
    storage.close()
    replay.clear_requests()
    assert edgarwatch("--config", str(config), "poll").returncode == 0
    storage = Storage.open(tmp_path / "db.sqlite")
    last = storage.state.last_catch_up()
    assert last is not None
    assert last > due
    storage.state.catch_up_done(due)
    storage.state.mark_submissions_compared(date(2000, 1, 3))  # not yet today
    with storage.connections.transaction() as db:  # caught up on a day before today
        db.execute("UPDATE watched SET caught_up_at = '2000-01-03T12:00:00+00:00'")
    storage.close()
    assert replay.requests("/submissions/") == []
    assert edgarwatch("--config", str(config), "poll").returncode == 0
    assert len(replay.requests("/submissions/")) == 2
