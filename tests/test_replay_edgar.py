"""The replay behaves like EDGAR: after-hours 8-Ks, dating, feed depth, drops, headers.

Every check goes over HTTP on loopback against a replay whose clock stands
still (`speed=0`) and moves only when the test says so.
"""

from __future__ import annotations

import io
import json
import re
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from typing import Any

import pytest
import requests

from edgarwatch import demo
from edgarwatch.filing import EASTERN
from edgarwatch.replay.catalog import builtin_filings
from edgarwatch.replay.clock import ReplayClock, eastern
from edgarwatch.replay.server import Replay, ReplayServer
from tests.support import USER_AGENT, company, eight_k, replay_at

ATOM = "{http://www.w3.org/2005/Atom}"
ACME = company(9_200_001, "ACME BIOLOGICS INC", ticker="ACMB")
GLOBEX = company(9_200_002, "GLOBEX CORP")
FAST: dict[str, Any] = {"rate_limit": 1000}


@dataclass(frozen=True)
class Entry:
    accession: str
    title: str
    updated: str
    summary: str

    @property
    def filed(self) -> str:
        match = re.search(r"Filed:</b> (\S+)", self.summary)
        assert match
        return match.group(1)


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers["User-Agent"] = USER_AGENT
        yield session


def feed(http: requests.Session, url: str, **params: Any) -> list[Entry]:
    query = {"action": "getcurrent", "type": "8-K", "owner": "include", "output": "atom"}
    response = http.get(f"{url}/cgi-bin/browse-edgar", params={**query, **params}, timeout=5)
    assert response.status_code == 200, response.status_code
    root = ET.fromstring(response.content)  # noqa: S314 - our own replay's feed
    return [
        Entry(
            accession=e.findtext(f"{ATOM}id", "").rsplit("=", 1)[-1],
            title=e.findtext(f"{ATOM}title", ""),
            updated=e.findtext(f"{ATOM}updated", ""),
            summary=e.findtext(f"{ATOM}summary", ""),
        )
        for e in root.iter(f"{ATOM}entry")
    ]


def on_feed(http: requests.Session, url: str) -> list[str]:
    return [e.accession for e in feed(http, url, count=100)]


def index_path(accession: str, cik: int) -> str:
    return f"/Archives/edgar/data/{cik}/{accession.replace('-', '')}/{accession}-index.htm"


# -- after-hours 8-Ks ----------------------------------------------------------------


def test_an_after_hours_8k_is_posted_at_six_below_that_mornings_filings(
    http: requests.Session,
) -> None:
    with replay_at("2026-03-10 18:05:00", **FAST) as (replay, clock, url):
        late = replay.publish(eight_k(ACME, ["1.01", "9.01"]))  # accepted now: Tuesday 18:05
        clock.set("2026-03-10 18:10")
        assert on_feed(http, url) == []
        clock.set("2026-03-11 05:59:59")
        assert on_feed(http, url) == []
        clock.set("2026-03-11 06:00:00")
        morning = replay.publish(eight_k(GLOBEX, ["8.01"]))  # accepted 06:00:00: posted at once
        entries = feed(http, url)
    assert [e.accession for e in entries] == [morning.accession, late.accession]
    assert entries[1].updated == "2026-03-10T18:05:00-04:00"  # its evening acceptance time
    assert entries[0].updated == "2026-03-11T06:00:00-04:00"
    assert entries[1].filed == "2026-03-11"  # dated the next business day
    assert late.visible_at == eastern("2026-03-11 06:00")


def test_a_friday_evening_8k_is_posted_monday_morning(http: requests.Session) -> None:
    with replay_at("2026-03-13 18:05", **FAST) as (replay, clock, url):
        late = replay.publish(eight_k(ACME, ["1.01"]))
        for moment in ("2026-03-13 21:00", "2026-03-14 12:00", "2026-03-16 05:59:59"):
            clock.set(moment)
            assert on_feed(http, url) == [], moment
        clock.set("2026-03-16 06:00")
        entries = feed(http, url)
    assert [e.accession for e in entries] == [late.accession]
    assert entries[0].filed == "2026-03-16"
    assert entries[0].updated == "2026-03-13T18:05:00-04:00"


def test_a_federal_holiday_monday_pushes_the_release_to_tuesday(http: requests.Session) -> None:
    # Martin Luther King Jr. Day 2026 is Monday 19 January.
    with replay_at("2026-01-16 18:05", **FAST) as (replay, clock, url):
        late = replay.publish(eight_k(ACME, ["1.01"]))
        for moment in ("2026-01-19 06:00", "2026-01-19 12:00", "2026-01-20 05:59"):
            clock.set(moment)
            assert on_feed(http, url) == [], moment
        clock.set("2026-01-20 06:00")
        entries = feed(http, url)
    assert [e.accession for e in entries] == [late.accession]
    assert entries[0].filed == "2026-01-20"


def test_a_release_across_the_dst_change_keeps_the_evenings_offset(
    http: requests.Session,
) -> None:
    # Clocks go forward on Sunday 8 March 2026: accepted in EST, posted in EDT.
    with replay_at("2026-03-06 18:05", **FAST) as (replay, clock, url):
        late = replay.publish(eight_k(ACME, ["1.01"]))
        clock.set("2026-03-09 05:59:59")
        assert on_feed(http, url) == []
        clock.set("2026-03-09 06:00")
        response = http.get(
            f"{url}/cgi-bin/browse-edgar?action=getcurrent&type=8-K&output=atom", timeout=5
        )
        entries = feed(http, url)
    assert [e.accession for e in entries] == [late.accession]
    assert entries[0].updated == "2026-03-06T18:05:00-05:00"
    assert late.visible_at is not None
    assert late.visible_at.isoformat() == "2026-03-09T06:00:00-04:00"
    text = response.content.decode("latin-1")
    assert "<title>Latest Filings - Mon, 09 Mar 2026 06:00:00 EDT</title>" in text
    assert "<updated>2026-03-09T06:00:00-04:00</updated>" in text


def test_other_forms_are_posted_at_once_and_dated_as_edgar_dates_them(
    http: requests.Session,
) -> None:
    with replay_at("2026-03-10 18:30", **FAST) as (replay, _clock, url):
        form4 = replay.publish(
            eight_k([ACME, company(9_300_001, "DOE JANE", "Reporting")], [], form="4")
        )
        quarterly = replay.publish(eight_k(GLOBEX, [], form="10-Q"), "2026-03-10 18:04:43")
        entries = feed(http, url, type="")
    assert [e.accession for e in entries] == [form4.accession] * 2 + [quarterly.accession]
    assert entries[0].filed == "2026-03-10"  # Forms 3/4/5: same day until 22:00
    assert entries[2].filed == "2026-03-11"  # everything else: next business day after 17:30


def test_an_8k_accepted_on_time_is_posted_at_once(http: requests.Session) -> None:
    with replay_at("2026-03-10 17:30:00", **FAST) as (replay, clock, url):
        on_time = replay.publish(eight_k(ACME, ["1.01"]))
        late = replay.publish(eight_k(GLOBEX, ["1.01"]), "2026-03-10 17:30:01")
        clock.set("2026-03-10 17:31")
        entries = feed(http, url)
    assert [e.accession for e in entries] == [on_time.accession]
    assert entries[0].filed == "2026-03-10"
    assert late.filed == eastern("2026-03-11").date()


def test_the_edges_are_configurable_and_the_release_can_trickle(http: requests.Session) -> None:
    options: dict[str, Any] = {
        "after_hours_cutoff": clock_time(17, 31, 30),
        "release_at": clock_time(6, 0),
        "release_spread_seconds": 90 * 60,
    }
    with replay_at("2026-03-10 17:31:08", **FAST, **options) as (replay, clock, url):
        kept = replay.publish(eight_k(ACME, ["1.01"]))  # within the fuzzy edge
        held = [replay.publish(eight_k(GLOBEX, ["8.01"]), "2026-03-10 19:00") for _ in range(20)]
        assert on_feed(http, url) == [kept.accession]
        releases = sorted(f.visible_at for f in held if f.visible_at)
        clock.set("2026-03-11 07:30")
        assert len(on_feed(http, url)) == 21
    assert eastern("2026-03-11 06:00") <= releases[0] < releases[-1] < eastern("2026-03-11 07:30")
    again = Replay(clock=ReplayClock("2026-03-10 19:00"), release_spread_seconds=90 * 60)
    assert again.publish(held[3], "2026-03-10 19:00").visible_at == held[3].visible_at


def test_the_wall_clock_replay_posts_at_once_unless_asked_to_hold(http: requests.Session) -> None:
    friday_evening = eastern("2026-03-13 19:00")
    filing = eight_k(ACME, ["1.01"])
    replay = Replay(**FAST)  # the tests' default EDGAR: outcomes must not depend on the hour
    assert replay.publish(filing, friday_evening).visible_at == friday_evening
    held = Replay(hold_after_hours=True).publish(filing, friday_evening)
    assert held.visible_at == eastern("2026-03-16 06:00")
    simulated = Replay(clock=ReplayClock(friday_evening)).publish(filing)
    assert simulated.visible_at == eastern("2026-03-16 06:00")
    unheld = Replay(clock=ReplayClock(friday_evening), hold_after_hours=False).publish(filing)
    assert unheld.visible_at == friday_evening


# -- where a filing exists, and when ----------------------------------------------


def test_a_held_filing_exists_nowhere_until_its_release(http: requests.Session) -> None:
    with replay_at("2026-03-10 18:05", **FAST) as (replay, clock, url):
        late = replay.publish(eight_k(ACME, ["1.01"]))
        index = f"{url}{index_path(late.accession, ACME.cik)}"
        submissions = f"{url}/submissions/CIK{ACME.cik:010d}.json"
        clock.set("2026-03-10 23:00")
        assert http.get(index, timeout=5).status_code == 404
        assert (
            json.loads(http.get(submissions, timeout=5).content)["filings"]["recent"][
                "accessionNumber"
            ]
            == []
        )
        clock.set("2026-03-11 06:00")
        page = http.get(index, timeout=5)
        rows = json.loads(http.get(submissions, timeout=5).content)["filings"]["recent"]
    assert page.status_code == 200
    assert page.headers["Last-Modified"] == "Tue, 10 Mar 2026 22:05:00 GMT"  # acceptance
    assert rows["accessionNumber"] == [late.accession]
    assert rows["acceptanceDateTime"] == ["2026-03-10T18:05:00.000Z"]  # Eastern, false "Z"
    assert rows["filingDate"] == ["2026-03-11"]


def test_index_pages_and_documents_carry_last_modified(http: requests.Session) -> None:
    with replay_at("2026-03-10 11:00:07", **FAST) as (replay, _clock, url):
        filing = replay.publish(eight_k(ACME, ["1.01"]))
        folder = f"{url}/Archives/edgar/data/{ACME.cik}/{filing.accession.replace('-', '')}/"
        answers = [
            http.get(folder + name, timeout=5)
            for name in (
                f"{filing.accession}-index.htm",
                f"{filing.accession}.txt",
                "primary-8k.htm",
            )
        ]
        feed_answer = http.get(f"{url}/cgi-bin/browse-edgar?action=getcurrent", timeout=5)
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert {a.headers["Last-Modified"] for a in answers} == {"Tue, 10 Mar 2026 15:00:07 GMT"}
    assert "Last-Modified" not in feed_answer.headers  # generated per request
    assert feed_answer.headers["Cache-Control"] == "no-cache"


def test_the_index_page_comes_before_the_feed(http: requests.Session) -> None:
    with replay_at("2026-03-10 11:00", **FAST) as (replay, clock, url):
        filing = replay.publish(eight_k(ACME, ["1.01"]), visible_at="2026-03-10 11:00:40")
        assert http.get(f"{url}{index_path(filing.accession, ACME.cik)}", timeout=5).ok
        assert on_feed(http, url) == []
        clock.advance(40)
        assert on_feed(http, url) == [filing.accession]


def test_a_filing_accepted_in_the_future_is_scheduled(http: requests.Session) -> None:
    with replay_at("2026-03-10 09:00", **FAST) as (replay, clock, url):
        filing = replay.publish(eight_k(ACME, ["1.01"]), "2026-03-10 09:30")
        assert on_feed(http, url) == []
        assert (
            http.get(f"{url}{index_path(filing.accession, ACME.cik)}", timeout=5).status_code == 404
        )
        clock.set("2026-03-10 09:30")
        assert on_feed(http, url) == [filing.accession]


def test_the_submissions_json_can_lag(http: requests.Session) -> None:
    with replay_at("2026-03-10 11:00", submissions_lag_seconds=3600, **FAST) as (
        replay,
        clock,
        url,
    ):
        filing = replay.publish(eight_k(ACME, ["1.01"]))
        path = f"{url}/submissions/CIK{ACME.cik:010d}.json"
        clock.advance(3599)
        assert json.loads(http.get(path, timeout=5).content)["filings"]["recent"]["form"] == []
        clock.advance(1)
        rows = json.loads(http.get(path, timeout=5).content)["filings"]["recent"]
        assert http.get(path, timeout=5).headers["Cache-Control"] == "no-store"
    assert rows["accessionNumber"] == [filing.accession]


def test_daily_indexes_appear_at_night_and_date_evening_filings_next_day(
    http: requests.Session,
) -> None:
    with replay_at("2026-03-10 11:00", daily_index_at=clock_time(22, 0), **FAST) as (
        replay,
        clock,
        url,
    ):
        day = replay.publish(eight_k(ACME, ["1.01"]))
        evening = replay.publish(eight_k(GLOBEX, ["1.01"]), "2026-03-10 18:05")
        tuesday = f"{url}/Archives/edgar/daily-index/2026/QTR1/master.20260310.idx"
        clock.set("2026-03-10 21:59")
        assert http.get(tuesday, timeout=5).status_code == 404
        clock.set("2026-03-10 22:00")
        listing = http.get(tuesday, timeout=5).text
        clock.set("2026-03-11 22:00")
        wednesday = http.get(tuesday.replace("0310", "0311"), timeout=5).text
    assert day.accession in listing
    assert evening.accession not in listing
    assert evening.accession in wednesday


# -- the feed: count, depth, drops ------------------------------------------------


def publish_many(replay: Replay, n: int, start: str) -> list[str]:
    first = eastern(start)
    return [
        replay.publish(
            eight_k(company(9_400_000 + i, f"FILER {i}"), ["8.01"]), first + timedelta(seconds=i)
        ).accession
        for i in range(n)
    ]


@pytest.mark.parametrize(
    ("count", "shown"), [(10, 10), (15, 10), (5, 10), (30, 20), (80, 50), (500, 50), (None, 40)]
)
def test_count_is_one_of_edgars_page_sizes(
    http: requests.Session, count: int | None, shown: int
) -> None:
    with replay_at("2026-03-10 12:00", **FAST) as (replay, _clock, url):
        publish_many(replay, 50, "2026-03-10 10:00")
        params = {} if count is None else {"count": count}
        assert len(feed(http, url, **params)) == shown


def test_one_entry_per_filing_and_role(http: requests.Session) -> None:
    merger = eight_k([ACME, company(9_200_003, "TARGET INC", "Subject")], ["1.01"])
    with replay_at("2026-03-10 12:00", **FAST) as (replay, _clock, url):
        replay.publish(merger)
        entries = feed(http, url, count=10)
    assert [e.title for e in entries] == [
        "8-K - ACME BIOLOGICS INC (0009200001) (Filer)",
        "8-K - TARGET INC (0009200003) (Subject)",
    ]


def test_the_feed_ends_with_a_503_past_its_depth(http: requests.Session) -> None:
    with replay_at("2026-03-10 12:00", feed_depth=30, **FAST) as (replay, _clock, url):
        newest_first = publish_many(replay, 40, "2026-03-10 10:00")[::-1]
        assert [e.accession for e in feed(http, url, start=20, count=10)] == newest_first[20:30]
        for start in (30, 40, 100):
            answer = http.get(
                f"{url}/cgi-bin/browse-edgar?action=getcurrent&type=8-K&start={start}&count=10",
                timeout=5,
            )
            assert answer.status_code == 503
            assert b"File Unavailable" in answer.content


def test_the_feed_reaches_back_to_the_previous_business_day(http: requests.Session) -> None:
    with replay_at("2026-03-11 10:00", feed_business_days=1, **FAST) as (replay, clock, url):
        monday = replay.publish(eight_k(ACME, ["8.01"]), "2026-03-09 12:00")
        tuesday = replay.publish(eight_k(GLOBEX, ["8.01"]), "2026-03-10 06:00")
        evening = replay.publish(eight_k(GLOBEX, ["7.01"]), "2026-03-10 18:05")
        assert monday.accession not in on_feed(http, url)  # before Tuesday 06:00
        assert on_feed(http, url) == [evening.accession, tuesday.accession]
        clock.set("2026-03-11 23:59")
        assert on_feed(http, url) == [evening.accession, tuesday.accession]
        clock.set("2026-03-12 06:00")  # the horizon moves to Wednesday 06:00
        assert on_feed(http, url) == []


def test_a_dropped_filing_is_missing_from_the_feed_only(http: requests.Session) -> None:
    with replay_at("2026-03-10 11:00", daily_index_at=clock_time(22, 0), **FAST) as (
        replay,
        clock,
        url,
    ):
        kept = replay.publish(eight_k(GLOBEX, ["8.01"]))
        dropped = eight_k(ACME, ["1.01"])
        replay.drop_from_feed(dropped.accession)
        replay.publish(dropped)
        assert on_feed(http, url) == [kept.accession]
        folder = f"/Archives/edgar/data/{ACME.cik}/{dropped.accession.replace('-', '')}/"
        assert http.get(f"{url}{folder}{dropped.accession}-index.htm", timeout=5).ok
        assert http.get(f"{url}{folder}{dropped.accession}.txt", timeout=5).ok
        rows = http.get(f"{url}/submissions/CIK{ACME.cik:010d}.json", timeout=5).json()
        clock.set("2026-03-10 22:30")
        daily = http.get(
            f"{url}/Archives/edgar/daily-index/2026/QTR1/master.20260310.idx", timeout=5
        )
    assert rows["filings"]["recent"]["accessionNumber"] == [dropped.accession]
    assert dropped.accession in daily.text


def test_a_fraction_of_filings_can_be_dropped_reproducibly(http: requests.Session) -> None:
    with replay_at("2026-03-10 12:00", feed_drops=0.25, drop_seed=7, **FAST) as (
        replay,
        _clock,
        url,
    ):
        published = publish_many(replay, 80, "2026-03-10 10:00")
        shown = set(on_feed(http, url))
    dropped = replay.feed_drops
    assert 8 <= len(dropped) <= 35
    assert shown == set(published) - dropped
    again = Replay(clock=ReplayClock("2026-03-10 12:00"), feed_drops=0.25, drop_seed=7)
    for accession in published:
        again.publish(replay.filing(accession), "2026-03-10 10:00")
    assert again.feed_drops == dropped


# -- the clock ---------------------------------------------------------------------------


def test_a_fast_clock_replays_a_day_in_seconds(http: requests.Session) -> None:
    clock = ReplayClock("2026-03-09 05:59:50", speed=600)
    replay = Replay(clock=clock, **FAST)
    filing = replay.publish(eight_k(ACME, ["1.01"]), "2026-03-09 06:01:00")
    with ReplayServer(replay) as server:
        assert on_feed(http, server.url) == []
        started = time.monotonic()
        assert clock.sleep_until("2026-03-09 06:01:00")
        assert time.monotonic() - started < 1.0  # 70 simulated seconds ≈ 0.12 s
        assert on_feed(http, server.url) == [filing.accession]
        record = replay.requests("getcurrent")[-1]
    assert record.clock_at is not None
    assert record.clock_at >= eastern("2026-03-09 06:01:00")


def test_the_clock_can_be_set_advanced_and_respeeded() -> None:
    clock = ReplayClock("2026-03-09 05:59:50", speed=0)
    assert clock.now() == eastern("2026-03-09 05:59:50")
    assert clock.advance(10) == eastern("2026-03-09 06:00:00")
    assert clock.advance(timedelta(minutes=1)) == eastern("2026-03-09 06:01:00")
    clock.set(datetime(2026, 3, 9, 15, 0, tzinfo=UTC))
    assert clock.now() == eastern("2026-03-09 11:00")
    clock.speed = 1000
    time.sleep(0.05)
    assert clock.now() > eastern("2026-03-09 11:00:30")
    stop_now = threading.Event()
    stop_now.set()
    clock.speed = 0
    assert not clock.sleep_until("2026-03-10 00:00", stop=stop_now)


# -- EFTS full-text search ----------------------------------------------------------


def search(http: requests.Session, url: str, **params: Any) -> dict[str, Any]:
    response = http.get(f"{url}/LATEST/search-index", params=params, timeout=5)
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == "application/json"
    result: dict[str, Any] = response.json()
    return result


def day_query(day: str, **extra: object) -> dict[str, object]:
    return {"q": "", "forms": "8-K", "dateRange": "custom", "startdt": day, "enddt": day, **extra}


def test_efts_answers_elasticsearch_shaped_hits_one_per_filing(http: requests.Session) -> None:
    acme = replace(ACME, business_location="Cambridge, MA")
    deal = eight_k(
        acme,
        {"1.01": "A license agreement with Globex.", "9.01": "Exhibits."},
        exhibits=[("EX-10.1", "ex10-1.htm", "LICENSE AGREEMENT")],
    )
    with replay_at("2026-03-10 16:05:09", **FAST) as (replay, _clock, url):
        filing = replay.publish(deal)
        result = search(http, url, **day_query("2026-03-10"))
    assert list(result) == ["took", "timed_out", "_shards", "hits", "aggregations", "query"]
    assert result["hits"]["total"] == {"value": 1, "relation": "eq"}
    [hit] = result["hits"]["hits"]
    assert hit["_index"] == "edgar_file"
    assert hit["_id"] == f"{filing.accession}:primary-8k.htm"  # the primary document only
    assert hit["_source"] == {
        "ciks": ["0009200001"],
        "period_ending": "2026-03-10",
        "file_num": ["001-00001"],
        "display_names": ["ACME BIOLOGICS INC  (ACMB)  (CIK 0009200001)"],
        "xsl": None,
        "sequence": 1,
        "root_forms": ["8-K"],
        "file_date": "2026-03-10",
        "biz_states": ["MA"],
        "sics": ["2836"],
        "form": "8-K",
        "adsh": filing.accession,
        "film_num": [f"26{int(filing.accession[-6:]):07d}"],
        "biz_locations": ["Cambridge, MA"],
        "file_type": "8-K",
        "file_description": "8-K",
        "inc_states": ["DE"],
        "items": ["1.01", "9.01"],
    }
    assert list(result["aggregations"]) == [
        "entity_filter",
        "sic_filter",
        "biz_states_filter",
        "form_filter",
    ]
    assert result["aggregations"]["form_filter"]["buckets"] == [{"key": "8-K", "doc_count": 1}]
    assert result["query"]["query"]["bool"]["filter"][0] == {"terms": {"root_forms": ["8-K"]}}


def test_efts_pages_by_from_newest_filing_date_first(http: requests.Session) -> None:
    with replay_at("2026-03-11 12:00", **FAST) as (replay, _clock, url):
        tuesday = publish_many(replay, 120, "2026-03-10 09:00")
        wednesday = publish_many(replay, 30, "2026-03-11 09:00")
        query = {**day_query("2026-03-10"), "enddt": "2026-03-11"}
        first, second = search(http, url, **query), search(http, url, **query, **{"from": 100})
        page_two_by_ui = search(http, url, **query, page=2)
    assert first["hits"]["total"]["value"] == second["hits"]["total"]["value"] == 150
    assert len(first["hits"]["hits"]) == 100
    assert len(second["hits"]["hits"]) == 50
    assert second["query"]["from"] == 100
    assert second["query"]["size"] == 100
    order = [h["_source"]["adsh"] for h in first["hits"]["hits"] + second["hits"]["hits"]]
    assert order[:30] == wednesday[::-1]
    assert set(order) == set(tuesday) | set(wednesday)
    assert page_two_by_ui["hits"]["hits"] == second["hits"]["hits"]


def test_efts_filters_by_filing_date_form_and_cik(http: requests.Session) -> None:
    with replay_at("2026-03-10 12:00", **FAST) as (replay, clock, url):
        evening = replay.publish(eight_k(ACME, ["1.01"]), "2026-03-10 18:05")
        amendment = replay.publish(eight_k(GLOBEX, ["1.01"], form="8-K/A"))
        ownership = replay.publish(eight_k(GLOBEX, [], form="4"))
        clock.set("2026-03-11 06:00")

        def found(**params: object) -> set[str]:
            return {h["_source"]["adsh"] for h in search(http, url, **params)["hits"]["hits"]}

        assert found(**day_query("2026-03-10")) == {amendment.accession}  # 8-K/A: root 8-K
        assert found(**day_query("2026-03-11")) == {evening.accession}  # dated next day
        assert found(**day_query("2026-03-10", forms="8-K,-8-K/A")) == set()
        assert found(q="", ciks=f"{ACME.cik:010d}") == {evening.accession}
        assert found(q="", entityName="globex", forms="4") == {ownership.accession}
        assert found(q="", ciks=f"{GLOBEX.cik:010d}", forms="-3,-4,-5") == {amendment.accession}
        blank = search(http, url, q="", dateRange="custom", startdt="2026-03-10")
    assert blank["hits"]["hits"] == []
    assert blank["error"].startswith("Blank search not valid.")


def test_efts_keywords_match_any_document_of_a_filing(http: requests.Session) -> None:
    deal = eight_k(
        ACME,
        {"1.01": "The Company entered into an agreement.", "9.01": "Exhibit 10.1."},
        exhibits=[("EX-10.1", "ex10-1.htm", "Exclusive royalty-bearing LICENSE")],
    )
    with replay_at("2026-03-10 12:00", **FAST) as (replay, _clock, url):
        filing = replay.publish(deal)
        result = search(http, url, q='"royalty-bearing license"', forms="8-K")
        words = search(http, url, q="agreement", forms="8-K")
    assert [h["_id"] for h in result["hits"]["hits"]] == [f"{filing.accession}:ex10-1.htm"]
    assert result["hits"]["hits"][0]["_source"]["file_type"] == "EX-10.1"
    assert result["hits"]["hits"][0]["_score"] > 0
    assert [h["_id"] for h in words["hits"]["hits"]] == [f"{filing.accession}:primary-8k.htm"]


def test_efts_indexes_what_was_disseminated_after_its_lag(http: requests.Session) -> None:
    with replay_at("2026-03-10 18:05", efts_lag_seconds=40, **FAST) as (replay, clock, url):
        late = replay.publish(eight_k(ACME, ["1.01"]))
        dropped = eight_k(GLOBEX, ["1.01"])
        replay.drop_from_feed(dropped.accession)
        replay.publish(dropped, "2026-03-10 18:06")
        query = day_query("2026-03-11")
        clock.set("2026-03-11 06:00:39")
        assert search(http, url, **query)["hits"]["hits"] == []
        clock.set("2026-03-11 06:00:40")
        found = [h["_source"]["adsh"] for h in search(http, url, **query)["hits"]["hits"]]
        assert on_feed(http, url) == [late.accession]
    assert found == [dropped.accession, late.accession]  # on EFTS though not on the feed


def test_efts_is_rate_limited_and_faulted_like_the_rest(http: requests.Session) -> None:
    with replay_at("2026-03-10 12:00", **FAST) as (replay, _clock, url):
        replay.fail("/LATEST/search-index", status=500)
        assert http.get(f"{url}/LATEST/search-index?q=x", timeout=5).status_code == 500
        replay.throttle()
        answer = http.get(f"{url}/LATEST/search-index?q=x", timeout=5)
    assert answer.status_code == 403
    assert b"Request Rate Threshold Exceeded" in answer.content


# -- the demo's morning release ---------------------------------------------------


def test_the_demo_posts_last_evenings_8k_below_this_mornings_entries(
    http: requests.Session,
) -> None:
    filings = {f.accession: f for f in builtin_filings()}
    evening = filings["0009100002-26-000039"]
    replay = Replay(filings.values(), **FAST)
    baseline = replay.publish("0009100002-26-000031", datetime.now(UTC) - timedelta(minutes=5))
    out = io.StringIO()
    demo._post_after_hours(replay, evening, "18:05", demo.DemoPrinter(out))
    with ReplayServer(replay) as server:
        entries = feed(http, server.url)
    posted = replay.filing(evening.accession)
    assert [e.accession for e in entries] == [baseline.accession, evening.accession]
    assert posted.accepted_at is not None
    assert posted.accepted_at.astimezone(EASTERN).time() == clock_time(18, 5)
    assert entries[1].updated.startswith(posted.accepted_at.date().isoformat() + "T18:05:00-0")
    assert "after hours: held for the 06:00 release" in out.getvalue()
    assert "listed below 1 newer entry" in out.getvalue()
