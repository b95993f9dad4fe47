"""Amendments (issue 12.3): an 8-K/A linked to the 8-K it amends — by its own words, by
file number and period of report, or through one request for the company's submissions
JSON — and every channel saying "amends 8-K of … (accession …)" and what changed; rules
choosing `forms = ["8-K"]` or `["8-K/A"]`."""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from edgarwatch.daemon.cycles import Cycles
from edgarwatch.daemon.runtime import Runtime, build_runtime
from edgarwatch.edgar.amendments import amended_reference
from edgarwatch.edgar.parse import parse_document
from edgarwatch.filing import EASTERN, AmendedFiling, Company, Filing, FilingReport, Item
from edgarwatch.notifiers import discord, email_html, slack, teams, webhook
from edgarwatch.notifiers.base import Delivery
from edgarwatch.notifiers.changes import word_diff
from edgarwatch.notifiers.console import ConsoleNotifier, ConsoleSettings
from edgarwatch.notifiers.plain import facts, plain_text
from edgarwatch.notifiers.render import render
from edgarwatch.replay.catalog import ReplayDocument, ReplayFiling
from edgarwatch.replay.clock import ReplayClock
from edgarwatch.replay.server import Replay
from edgarwatch.storage import Storage
from tests.support import company, eight_k, replay_at, settings_for

IMMUNOGEN = company(855654, "IMMUNOGEN INC", ticker="IMGN")
ORIGINAL_TEXT = (
    "On February 27, 2026, ImmunoGen, Inc. entered into a manufacturing agreement with "
    "Società Italiana Corticosteroidi S.r.l (SICOR). ImmunoGen will pay SICOR five million "
    "Euros for these cGMP batches of DMx through completion of the contract in early 2008."
)
AMENDED_TEXT = ORIGINAL_TEXT.replace("five million Euros", "six million Euros").replace(
    "early 2008", "mid 2008"
)
PERIOD = date(2026, 2, 27)


# --------------------------------------------------------------------------- its own words


@pytest.mark.parametrize(
    ("text", "filed", "dated"),
    [
        (
            "This Amendment No. 1 amends the Current Report on Form 8-K of Northwind Biologics, "
            "Inc. filed on November 19, 2026 solely to refile Exhibit 10.1.",
            date(2026, 11, 19),
            None,
        ),
        (
            "ImmunoGen, Inc. is filing this Amendment No. 1 to its Current Report on Form 8-K, "
            "filed with the Securities and Exchange Commission on May 4, 2007 (the \u201cOriginal "
            "Form 8-K\u201d), to include the exhibit.",
            date(2007, 5, 4),
            None,
        ),
        (
            "This Form 8-K/A is being filed to amend Item 9.01 of the Current Report on Form 8-K "
            "originally filed by Acme Corp. with the U.S. Securities and Exchange Commission on "
            "March 3, 2020 to include the financial statements.",
            date(2020, 3, 3),
            None,
        ),
        (
            "The Company hereby amends its Current Report on Form 8-K dated April 30, 2007.",
            None,
            date(2007, 4, 30),
        ),
        (
            "On May 4, 2007, the Company filed a Current Report on Form 8-K (the \u201cOriginal "
            "Report\u201d). This Amendment No. 1 amends the Original Report to add Item 9.01.",
            date(2007, 5, 4),
            None,
        ),
    ],
)
def test_an_amendment_says_what_it_amends_in_its_own_words(
    text: str, filed: date | None, dated: date | None
) -> None:
    found = amended_reference(text)
    assert found is not None
    assert (found.filed, found.dated) == (filed, dated)


def test_a_mere_mention_of_an_earlier_8k_is_not_what_it_amends() -> None:
    assert (
        amended_reference(
            "As previously reported in our Current Report on Form 8-K filed on January 5, "
            "2026, we signed a lease. This Form 8-K/A amends Item 5.02 only."
        )
        is None
    )
    assert amended_reference("No reference here.", "") is None


def test_the_explanatory_note_before_the_items_is_read() -> None:
    fixture = Path(__file__).resolve().parent.parent / "edgarwatch/replay/fixtures/filings"
    document = (fixture / "0009100001-26-000121/nwbx-20261119a.htm").read_bytes()
    parsed = parse_document(document, declared=["1.01", "9.01"])
    assert "EXPLANATORY NOTE" in parsed.preamble
    found = amended_reference(parsed.preamble, *(i.text or "" for i in parsed.items))
    assert found is not None
    assert found.filed == date(2026, 11, 19)


# --------------------------------------------------------------------------- what changed


def test_a_short_word_diff_says_what_changed() -> None:
    assert word_diff(ORIGINAL_TEXT, AMENDED_TEXT) == (
        "pay SICOR [− five] [+ six] million Euros … contract in [− early] [+ mid] 2008."
    )
    assert word_diff(ORIGINAL_TEXT, ORIGINAL_TEXT) == "no change to the text"
    assert word_diff("a b c d", "a b x c d") == "a b [+ x] c d"
    assert word_diff("a b c d", "a b d") == "a b [− c] d"
    assert word_diff(ORIGINAL_TEXT, "The Company refiles Exhibit 10.1 with fewer redactions.") == (
        "rewritten (38 words before, 8 now)"
    )
    common = [f"word{n}" for n in range(200)]
    inserted = common[:100] + [f"new{n}" for n in range(100)] + common[100:]
    long_change = word_diff(" ".join(common), " ".join(inserted))
    assert len(long_change) <= 300
    assert long_change.endswith("…")


# --------------------------------------------------------------------------- every channel


def amendment_report() -> FilingReport:
    filing = Filing(
        accession="0001104659-07-036001",
        form="8-K/A",
        companies=(Company(855654, "IMMUNOGEN INC"),),
        url="https://www.sec.gov/Archives/edgar/data/855654/000110465907036001/0001104659-07-036001-index.htm",
        accepted_at=datetime(2007, 5, 10, 9, 0, tzinfo=EASTERN),
        items=("1.01",),
    )
    original = AmendedFiling(
        "0001104659-07-034567",
        "8-K",
        date(2007, 5, 4),
        "text",
        items=(Item("1.01", "Entry into a Material Definitive Agreement", ORIGINAL_TEXT),),
    )
    item = Item("1.01", "Entry into a Material Definitive Agreement", AMENDED_TEXT)
    return FilingReport(filing, items=(item,), amends=original)


def words(text: str) -> str:
    """`text` with its runs of spaces (column padding) as one."""
    return " ".join(text.split())


SAYS = "8-K of 2007-05-04 (accession 0001104659-07-034567)"
CHANGED = "[− five] [+ six]"


def test_every_channel_says_what_it_amends_and_what_changed() -> None:
    report = amendment_report()
    delivery = Delivery("d-1", "chan", "default", ("1.01",))
    notice = render(report, delivery)
    assert notice.amends == "amends " + SAYS
    assert ("Amends", SAYS) in facts(notice)
    assert any(
        label == "Changed in Item 1.01" and CHANGED in value for label, value in facts(notice)
    )
    assert f"Amends: {SAYS}" in words(plain_text(notice))  # email text, console, Apprise
    payloads = {
        "slack": json.dumps(slack.message(notice), ensure_ascii=False),
        "teams": json.dumps(teams.card(notice), ensure_ascii=False),
        # Discord's Markdown escapes read as the characters they escape
        "discord": json.dumps(discord.message(notice), ensure_ascii=False).replace("\\\\", ""),
        "email html": email_html.html_body(notice),
    }
    for channel, payload in payloads.items():
        assert SAYS in payload, channel
        assert "[+ six]" in payload, channel
    document = webhook.document(report, delivery)
    assert document["amends"] == {
        "accession": "0001104659-07-034567",
        "form": "8-K",
        "filed": "2007-05-04",
        "found_by": "text",
    }
    assert document["changes"][0]["item"] == "1.01"
    assert CHANGED in document["changes"][0]["diff"]


# --------------------------------------------------------------------------- linked by the reader


def with_note(filing: ReplayFiling, note: str, period: date | None = PERIOD) -> ReplayFiling:
    """The filing with an explanatory note before its items, and its period of report."""
    primary = filing.documents[0]
    content = primary.content
    if note:
        marker = b'<p style="margin-top:12pt">'
        content = content.replace(
            marker, b"<p><b>EXPLANATORY NOTE</b></p>\n<p>" + note.encode() + b"</p>\n" + marker, 1
        )
    document = ReplayDocument(
        primary.sequence, primary.type, primary.filename, primary.description, content
    )
    return dataclasses.replace(filing, documents=(document, *filing.documents[1:]), period=period)


@contextmanager
def reader(
    url: str, database: Path, clock: ReplayClock, **notify: Any
) -> Iterator[tuple[Runtime, Cycles]]:
    settings = settings_for(
        url,
        database,
        watch={"ciks": [855654], "catch_up_days": 0},
        notify=notify,
        channels={"originals": {"kind": "console"}, "amendments": {"kind": "console"}},
    )
    runtime = build_runtime(
        settings,
        storage=Storage.open(database),
        notifiers={
            "originals": ConsoleNotifier(ConsoleSettings(name="originals", stream=io.StringIO())),
            "amendments": ConsoleNotifier(ConsoleSettings(name="amendments", stream=io.StringIO())),
        },
        clock=clock.now,
    )
    cycles = Cycles(runtime)
    try:
        yield runtime, cycles
    finally:
        cycles.close()
        runtime.close()


def linked(storage: Storage, accession: str) -> dict[str, Any]:
    row = storage.connections.query(
        "SELECT amends, amends_filed, amends_how, period FROM filings WHERE accession = ?",
        [accession],
    )[0]
    return dict(row)


def shown(runtime: Runtime, channel: str) -> str:
    runtime.dispatcher.dispatch()
    notifier = runtime.notifiers[channel]
    assert isinstance(notifier, ConsoleNotifier)
    stream = notifier.settings.stream
    assert isinstance(stream, io.StringIO)
    return stream.getvalue()


def publish(replay: Replay, cycles: Cycles, filing: ReplayFiling) -> None:
    replay.publish(filing)
    assert cycles.poll().found == 1
    assert cycles.read().enriched == 1


def test_an_amendment_is_linked_by_its_own_words_and_says_what_changed(tmp_path: Path) -> None:
    original = with_note(eight_k(IMMUNOGEN, {"1.01": ORIGINAL_TEXT}), "")
    amendment = with_note(
        eight_k(IMMUNOGEN, {"1.01": AMENDED_TEXT}, form="8-K/A"),
        "This Amendment No. 1 amends the Current Report on Form 8-K of ImmunoGen, Inc. filed "
        "on March 2, 2026 to correct the purchase price.",
        period=date(2026, 3, 1),  # not the original's: the words decide
    )
    with (
        replay_at("2026-03-02 09:00") as (replay, clock, url),
        reader(
            url,
            tmp_path / "a.db",
            clock,
            rules=[{"name": "amendments", "forms": ["8-K/A"], "channels": ["amendments"]}],
        ) as (runtime, cycles),
    ):
        cycles.poll()
        clock.set("2026-03-02 10:00")
        publish(replay, cycles, original)
        clock.set("2026-03-05 11:00")
        replay.clear_requests()
        publish(replay, cycles, amendment)
        assert replay.requests("/submissions/") == []  # found in the database: no request
        assert linked(runtime.storage, amendment.accession) == {
            "amends": original.accession,
            "amends_filed": "2026-03-02",
            "amends_how": "text",
            "period": "2026-03-01",
        }
        said = shown(runtime, "amendments")
    assert f"Amends: 8-K of 2026-03-02 (accession {original.accession})" in words(said)
    assert "pay SICOR [− five] [+ six] million Euros" in said
    assert "── amendments · rule amendments · delivery" in said


def test_without_words_the_same_file_number_and_period_link_it(tmp_path: Path) -> None:
    original = with_note(eight_k(IMMUNOGEN, {"1.01": ORIGINAL_TEXT}), "")
    other = with_note(eight_k(IMMUNOGEN, ["8.01"]), "", period=date(2026, 2, 20))
    amendment = with_note(eight_k(IMMUNOGEN, {"1.01": AMENDED_TEXT}, form="8-K/A"), "")
    with (
        replay_at("2026-03-02 09:00") as (replay, clock, url),
        reader(url, tmp_path / "p.db", clock) as (runtime, cycles),
    ):
        cycles.poll()
        clock.set("2026-03-02 10:00")
        publish(replay, cycles, original)
        clock.set("2026-03-03 10:00")
        publish(replay, cycles, other)
        clock.set("2026-03-04 10:00")
        publish(replay, cycles, amendment)
        assert linked(runtime.storage, amendment.accession) == {
            "amends": original.accession,
            "amends_filed": "2026-03-02",
            "amends_how": "period",
            "period": "2026-02-27",
        }
        said = shown(runtime, "originals")
    assert f"8-K of 2026-03-02 (accession {original.accession})" in said


def test_an_original_from_before_the_watch_is_found_with_one_request(tmp_path: Path) -> None:
    original = with_note(eight_k(IMMUNOGEN, {"1.01": ORIGINAL_TEXT}), "")
    amendment = with_note(
        eight_k(IMMUNOGEN, {"1.01": AMENDED_TEXT}, form="8-K/A"),
        "ImmunoGen, Inc. is filing this Amendment No. 1 to its Current Report on Form 8-K, "
        "filed with the Securities and Exchange Commission on January 15, 2026 (the Original "
        "Form 8-K).",
        period=date(2026, 1, 14),
    )
    with (
        replay_at("2026-03-10 09:00") as (replay, clock, url),
        reader(url, tmp_path / "h.db", clock) as (runtime, cycles),
    ):
        replay.publish_history(
            dataclasses.replace(original, period=date(2026, 1, 14)), "2026-01-15 16:05"
        )
        cycles.poll()
        clock.set("2026-03-10 10:00")
        replay.clear_requests()
        publish(replay, cycles, amendment)
        assert len(replay.requests("/submissions/CIK0000855654.json")) == 1
        assert linked(runtime.storage, amendment.accession)["amends"] == original.accession
        assert linked(runtime.storage, amendment.accession)["amends_filed"] == "2026-01-15"
        said = shown(runtime, "originals")
    assert f"8-K of 2026-01-15 (accession {original.accession})" in said
    assert "Changed in Item" not in said  # the original's text is not recorded: no diff


def test_rules_choose_originals_or_amendments(tmp_path: Path) -> None:
    original = with_note(eight_k(IMMUNOGEN, {"1.01": ORIGINAL_TEXT}), "")
    amendment = with_note(eight_k(IMMUNOGEN, {"1.01": AMENDED_TEXT}, form="8-K/A"), "")
    with (
        replay_at("2026-03-02 09:00") as (replay, clock, url),
        reader(
            url,
            tmp_path / "r.db",
            clock,
            forms=["8-K"],
            channels=["originals"],
            rules=[{"name": "amendments", "forms": ["8-K/A"], "channels": ["amendments"]}],
        ) as (runtime, cycles),
    ):
        cycles.poll()
        clock.set("2026-03-02 10:00")
        publish(replay, cycles, original)
        clock.set("2026-03-03 10:00")
        publish(replay, cycles, amendment)
        rows = runtime.storage.connections.query(
            "SELECT accession, channel, rule FROM notifications ORDER BY rowid"
        )
        originals, amendments = shown(runtime, "originals"), shown(runtime, "amendments")
    assert rows == [
        {"accession": original.accession, "channel": "originals", "rule": "default"},
        {"accession": amendment.accession, "channel": "amendments", "rule": "amendments"},
    ]
    assert "8-K (amendment)" not in originals
    assert "IMMUNOGEN INC — 8-K/A (amendment) Item 1.01" in amendments
    assert f"8-K of 2026-03-02 (accession {original.accession})" in amendments
