"""EDGAR's front door for the poll and the second source: the newest filings down to the
first known accession, and EDGAR full-text search — against the replay over HTTP."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path

import pytest

from edgarwatch.edgar.client import EdgarClient, UnexpectedResponse
from edgarwatch.edgar.efts import company_name, parse_search
from edgarwatch.edgar.paths import Rebaser
from edgarwatch.edgar.settings import EdgarSettings
from edgarwatch.edgar.sources import full_text_search, newest_filings
from edgarwatch.replay.server import Replay
from tests.support import USER_AGENT, company, eight_k, replay_at

FIXTURES = Path(__file__).parent / "fixtures" / "efts"
REBASER = Rebaser("http://127.0.0.1:9", "http://127.0.0.1:9", "http://127.0.0.1:9")
IMMUNOGEN = company(855654, "IMMUNOGEN INC", ticker="IMGN")
APPLE = company(320193, "Apple Inc.", ticker="AAPL")


def client_for(url: str) -> EdgarClient:
    return EdgarClient(
        EdgarSettings(
            user_agent=USER_AGENT, base_url=url, data_url=url, efts_url=url, max_retries=0
        )
    )


class Known:
    """What the poll has seen: a set of accessions, asked page by page."""

    def __init__(self, accessions: Iterable[str] = ()) -> None:
        self.accessions = set(accessions)

    def __call__(self, accessions: Sequence[str]) -> set[str]:
        return self.accessions & set(accessions)


# -- full-text search answers ---------------------------------------------------------


def test_it_merges_a_filings_document_hits_and_keeps_roles_unknown() -> None:
    page = parse_search((FIXTURES / "8k_two_filings.json").read_bytes(), REBASER)
    assert (page.hits, page.total, page.exact) == (4, 4, True)
    by_accession = {f.accession: f for f in page.filings}
    assert list(by_accession) == ["0001193125-24-170599", "0000012927-24-000031"]
    eliem = by_accession["0001193125-24-170599"]
    assert eliem.items == ("1.01", "2.01", "3.02", "5.02", "7.01", "8.01", "9.01")
    assert eliem.filed == date(2024, 6, 27)
    assert eliem.accepted_at is None  # EFTS has no acceptance time
    assert [(c.cik, c.name, c.role) for c in eliem.companies] == [
        (1768446, "Eliem Therapeutics, Inc.", None)
    ]
    assert eliem.url == (
        "http://127.0.0.1:9/Archives/edgar/data/1768446/000119312524170599/"
        "0001193125-24-170599-index.htm"
    )
    boeing = by_accession["0000012927-24-000031"]
    assert boeing.form == "8-K/A"
    assert [(c.cik, c.name) for c in boeing.companies] == [
        (12927, "Boeing Co (The)"),
        (855654, "IMMUNOGEN INC"),
    ]


@pytest.mark.parametrize(
    ("display", "expected"),
    [
        ("Apple Inc.  (AAPL)  (CIK 0000320193)", (320193, "Apple Inc.")),
        ("GATES FOUNDATION TRUST  (CIK 0001166559)", (1166559, "GATES FOUNDATION TRUST")),
        ("Boeing Co (The)  (BA)  (CIK 0000012927)", (12927, "Boeing Co (The)")),
        ("ACME CORP  (ACME, CIK 0001234567)", (1234567, "ACME CORP")),
        ("Alphabet Inc.  (GOOGL, GOOG)  (CIK 0001652044)", (1652044, "Alphabet Inc.")),
        ("no cik here", (None, "no cik here")),
    ],
)
def test_it_reads_display_names_from_the_right(
    display: str, expected: tuple[int | None, str]
) -> None:
    assert company_name(display) == expected


@pytest.mark.parametrize(
    "body", [b"<html>Blank search not valid</html>", b"{}", b'{"hits": 3}', b"\xff\xfe"]
)
def test_an_answer_that_is_not_a_search_is_refused(body: bytes) -> None:
    with pytest.raises(ValueError, match="not"):
        parse_search(body, REBASER)


# -- against the replay ---------------------------------------------------------------


def test_full_text_search_finds_a_filing_the_feed_never_shows() -> None:
    with replay_at("2026-03-10 10:00") as (replay, _clock, url):
        shown, dropped = eight_k(APPLE, ["2.02"]), eight_k(IMMUNOGEN, ["1.01", "9.01"])
        replay.drop_from_feed(dropped.accession)
        replay.publish(shown)
        replay.publish(dropped)
        scan = full_text_search(client_for(url), date(2026, 3, 10))
        found = {f.accession: f for f in scan.filings}
        assert set(found) == {shown.accession, dropped.accession}
        assert found[dropped.accession].items == ("1.01", "9.01")
        assert scan.complete
        assert scan.pages == 1
        feed = newest_filings(client_for(url), Known(), max_pages=5)
        assert [f.accession for f in feed.filings] == [shown.accession]


def test_full_text_search_pages_through_a_busy_day() -> None:
    with replay_at("2026-03-10 09:00") as (replay, clock, url):
        filings = [eight_k(APPLE, ["8.01"]) for _ in range(230)]
        for n, filing in enumerate(filings):
            replay.publish(filing, clock.now() + timedelta(seconds=n))
        clock.advance(600)
        client = client_for(url)
        scan = full_text_search(client, date(2026, 3, 10))
        assert {f.accession for f in scan.filings} == {f.accession for f in filings}
        assert (scan.pages, scan.total, scan.complete) == (3, 230, True)
        assert len(replay.requests("search-index")) == 3
        assert full_text_search(client, date(2026, 3, 11)).filings == []


def test_a_full_text_search_that_answers_html_is_an_unexpected_response(
    edgar: tuple[Replay, str],
) -> None:
    replay, url = edgar
    replay.serve("/LATEST/search-index", b"<html><title>Maintenance</title></html>")
    with pytest.raises(UnexpectedResponse):
        full_text_search(client_for(url), date(2026, 3, 10))


# -- the poll's feed read -------------------------------------------------------------


def test_an_idle_poll_reads_one_small_page() -> None:
    with replay_at("2026-03-10 10:00") as (replay, clock, url):
        old = [eight_k(APPLE, ["8.01"]) for _ in range(30)]
        for n, filing in enumerate(old):
            replay.publish(filing, clock.now() - timedelta(minutes=60 - n))
        scan = newest_filings(client_for(url), Known(f.accession for f in old), max_pages=5)
        assert (scan.pages, scan.reached, scan.filings[0].accession) == (
            1,
            True,
            old[-1].accession,
        )
        (request,) = replay.requests("getcurrent")
        assert "count=10&" in request.path


def test_a_burst_is_paged_back_to_the_first_known_accession() -> None:
    with replay_at("2026-03-10 10:00") as (replay, clock, url):
        known = [eight_k(APPLE, ["8.01"]) for _ in range(5)]
        for n, filing in enumerate(known):
            replay.publish(filing, clock.now() - timedelta(minutes=30 - n))
        burst = [eight_k(IMMUNOGEN, ["1.01"]) for _ in range(250)]
        for n, filing in enumerate(burst):
            replay.publish(filing, clock.now() - timedelta(seconds=600 - n))
        scan = newest_filings(client_for(url), Known(f.accession for f in known), max_pages=10)
        found = {f.accession for f in scan.filings}
        assert {f.accession for f in burst} <= found
        assert scan.reached
        paths = [r.path for r in replay.requests("getcurrent")]
        assert "count=10&" in paths[0]
        assert [p for p in paths[1:] if "count=100&" not in p] == []
        assert len(paths) == 1 + 3  # 255 entries: three pages of 100


def test_an_after_hours_8k_posted_below_a_small_page_is_not_the_polls_to_find() -> None:
    """The poll reads what is new at the top; the sweep finds what EDGAR inserts below."""
    with replay_at("2026-03-10 18:05") as (replay, clock, url):
        late = replay.publish(eight_k(IMMUNOGEN, ["1.01"]))
        clock.set("2026-03-11 06:00:30")
        morning = [replay.publish(eight_k(APPLE, ["8.01"])) for _ in range(12)]
        scan = newest_filings(client_for(url), Known(f.accession for f in morning), max_pages=5)
        assert late.accession not in {f.accession for f in scan.filings}
        assert scan.pages == 1
