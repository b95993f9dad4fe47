"""Parsers of EDGAR's feeds, submissions JSON, master index and tickers.

Each is tested on fixtures written here in the corpus's exact shapes, and on
the recorded corpus itself when `../shared/corpus` is present.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from edgarwatch.company import normalise_ticker, suggest
from edgarwatch.edgar.daily_index import filings_from_index, parse_master_index
from edgarwatch.edgar.feed import parse_feed
from edgarwatch.edgar.paths import Rebaser, daily_master_index_path, submissions_path
from edgarwatch.edgar.submissions import parse_submissions
from edgarwatch.edgar.tickers import parse_company_tickers
from edgarwatch.filing import EASTERN

REBASER = Rebaser("http://127.0.0.1:9", "http://127.0.0.1:9")

FEED = b"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Latest Filings - Mon, 12 Jan 2026 08:30:00 EST</title>
<link rel="alternate" href="/cgi-bin/browse-edgar?action=getcurrent"/>
<id>https://www.sec.gov/cgi-bin/browse-edgar?action=getcurrent</id>
<updated>2026-01-12T08:30:00-05:00</updated>
<entry>
<title>8-K - Allegiant Travel CO (0001362468) (Filer)</title>
<link rel="alternate" type="text/html" href="https://www.sec.gov/Archives/edgar/data/1362468/000114036126000907/0001140361-26-000907-index.htm"/>
<summary type="html">
 &lt;b&gt;Filed:&lt;/b&gt; 2026-01-12 &lt;b&gt;AccNo:&lt;/b&gt; 0001140361-26-000907 &lt;b&gt;Size:&lt;/b&gt; 8 MB
&lt;br&gt;Item 1.01: Entry into a Material Definitive Agreement
&lt;br&gt;Item 7.01: Regulation FD Disclosure
&lt;br&gt;Item 9.01: Financial Statements and Exhibits
</summary>
<updated>2026-01-12T08:23:18-05:00</updated>
<category scheme="https://www.sec.gov/" label="form type" term="8-K"/>
<id>urn:tag:sec.gov,2008:accession-number=0001140361-26-000907</id>
</entry>
<entry>
<title>8-K - CITIZENS &amp; NORTHERN CORP (0000810958) (Subject)</title>
<link rel="alternate" type="text/html" href="https://www.sec.gov/Archives/edgar/data/810958/000114036126000907/0001140361-26-000907-index.htm"/>
<summary type="html">
 &lt;b&gt;Filed:&lt;/b&gt; 2026-01-12 &lt;b&gt;AccNo:&lt;/b&gt; 0001140361-26-000907 &lt;b&gt;Size:&lt;/b&gt; 8 MB
&lt;br&gt;Item 1.01: Entry into a Material Definitive Agreement
</summary>
<updated>2026-01-12T08:23:18-05:00</updated>
<category scheme="https://www.sec.gov/" label="form type" term="8-K"/>
<id>urn:tag:sec.gov,2008:accession-number=0001140361-26-000907</id>
</entry>
<entry>
<title>a title that is not EDGAR's</title>
<updated>2026-01-12T08:20:00-05:00</updated>
<id>urn:tag:sec.gov,2008:accession-number=0000000000-26-000001</id>
</entry>
<entry>
<title>8-K/A - WEBSTER FINANCIAL CORP (0000801337) (Filer)</title>
<link rel="alternate" type="text/html" href="https://evil.example/Archives/edgar/data/801337/000080133726000002/0000801337-26-000002-index.htm"/>
<summary type="html"> &lt;b&gt;Filed:&lt;/b&gt; 2026-01-09 &lt;b&gt;AccNo:&lt;/b&gt; 0000801337-26-000002 &lt;b&gt;Size:&lt;/b&gt; 472 KB
&lt;br&gt;Item 5.02: Departure of Directors or Certain Officers
</summary>
<updated>2026-01-09T16:45:24-05:00</updated>
<category scheme="https://www.sec.gov/" label="form type" term="8-K/A"/>
<id>urn:tag:sec.gov,2008:accession-number=0000801337-26-000002</id>
</entry>
</feed>
"""


def test_it_merges_feed_entries_by_accession_keeping_every_role() -> None:
    page = parse_feed(FEED, REBASER)
    assert page.entry_count == 4
    assert page.skipped == 1  # the entry that is not a filing is logged and skipped
    allegiant = next(f for f in page.filings if f.accession == "0001140361-26-000907")
    assert [(c.cik, c.name, c.role) for c in allegiant.companies] == [
        (1362468, "Allegiant Travel CO", "Filer"),
        (810958, "CITIZENS & NORTHERN CORP", "Subject"),
    ]
    assert allegiant.items == ("1.01", "7.01", "9.01")
    assert allegiant.accepted_at == datetime(2026, 1, 12, 8, 23, 18, tzinfo=EASTERN)
    assert allegiant.filed == date(2026, 1, 12)
    assert allegiant.size == 8 * 1024 * 1024
    assert allegiant.url.startswith("http://127.0.0.1:9/Archives/edgar/data/1362468/")


def test_it_rebases_feed_links_onto_the_configured_host() -> None:
    webster = next(f for f in parse_feed(FEED, REBASER).filings if f.form == "8-K/A")
    assert webster.url.startswith("http://127.0.0.1:9/Archives/")
    assert webster.is_amendment


def test_it_refuses_a_document_that_is_not_a_feed() -> None:
    with pytest.raises(ValueError, match="not an Atom feed"):
        parse_feed(b"<html><body>maintenance</body></html", REBASER)


def test_it_reads_every_recorded_getcurrent_page(corpus: Path) -> None:
    for path in sorted((corpus / "feeds").glob("getcurrent_*.atom.xml")):
        page = parse_feed(path.read_bytes(), REBASER)
        assert page.skipped == 0, path.name
        assert page.entry_count == len(page.entries)
        accessions = {e.accession for e in page.entries}
        assert len(page.filings) == len(accessions)
    start5000 = parse_feed(
        (
            corpus / "feeds/getcurrent_20251212T180344_type-all_count100_start5000.atom.xml"
        ).read_bytes(),
        REBASER,
    )
    eight_ks = [f for f in start5000.filings if f.form.startswith("8-K")]
    assert eight_ks
    assert all(f.items for f in eight_ks if f.form == "8-K")


SUBMISSIONS = b"""{"cik":"0000320193","name":"Apple Inc.","tickers":["AAPL"],"filings":{"recent":{
"accessionNumber":["0000320193-24-000005","0000320193-24-000003"],
"filingDate":["2024-02-01","2024-01-10"],"reportDate":["2024-02-01","2024-01-08"],
"acceptanceDateTime":["2024-02-01T16:30:30.000Z","2024-01-10T08:05:00.000Z"],
"form":["8-K","4"],"items":["2.02,9.01",""],"size":[412459,4000],
"primaryDocument":["aapl-20240201.htm","xslF345X05/wf-form4.xml"]},
"files":[{"name":"CIK0000320193-submissions-001.json","filingCount":1113,"filingFrom":"1994-01-26","filingTo":"2014-04-22"}]}}"""


def test_submissions_acceptance_time_is_eastern_despite_its_z() -> None:
    submissions = parse_submissions(SUBMISSIONS, REBASER)
    apple = submissions.filings[0]
    # EDGAR writes Eastern local time with a false "Z" (corpus README: Apple 0000320193-24-000005).
    assert apple.accepted_at == datetime(2024, 2, 1, 16, 30, 30, tzinfo=EASTERN)
    assert apple.items == ("2.02", "9.01")
    assert apple.primary_document == "aapl-20240201.htm"
    assert submissions.pages == ("CIK0000320193-submissions-001.json",)
    assert submissions_path(320193) == "/submissions/CIK0000320193.json"


def test_it_reads_the_recorded_submissions_files(corpus: Path) -> None:
    apple = parse_submissions((corpus / "json/CIK0000320193_2025-01.json").read_bytes(), REBASER)
    by_accession = {f.accession: f for f in apple.filings}
    filing = by_accession["0001140361-25-000228"]
    assert filing.items == ("5.02",)
    assert filing.accepted_at == datetime(2025, 1, 3, 16, 30, 56, tzinfo=EASTERN)
    legacy = parse_submissions(
        (corpus / "json/CIK0000320193-submissions-001_1994-2013.json").read_bytes(), REBASER, 320193
    )
    assert any(f.items == ("12", "7") for f in legacy.filings)  # legacy numbers, header order
    empty = parse_submissions((corpus / "json/CIK0000350001_no-filings.json").read_bytes(), REBASER)
    assert empty.filings == ()
    assert "\\" in empty.name


MASTER = """Description:           Daily Index of EDGAR Dissemination Feed
Last Data Received:    Dec 31, 2018
Comments:              webmaster@sec.gov
Anonymous FTP:         ftp://ftp.sec.gov/edgar/

CIK|Company Name|Form Type|Date Filed|File Name
--------------------------------------------------------------------------------
1000228|HENRY SCHEIN INC|4|20181231|edgar/data/1000228/0001209191-18-064398.txt
1000694|NOVAVAX INC|8-K|20181231|edgar/data/1000694/0001144204-18-066755.txt
92122|SOUTHERN CO|8-K|20181231|edgar/data/92122/0000092122-18-000101.txt
3153|ALABAMA POWER CO|8-K|20181231|edgar/data/3153/0000092122-18-000101.txt
garbage line
"""


def test_it_reads_the_daily_master_index_grouping_co_registrants() -> None:
    filings = filings_from_index(parse_master_index(MASTER), REBASER)
    assert [f.accession for f in filings] == ["0001144204-18-066755", "0000092122-18-000101"]
    southern = filings[1]
    assert {c.cik for c in southern.companies} == {92122, 3153}
    assert southern.filed == date(2018, 12, 31)
    assert daily_master_index_path(date(2018, 12, 31)) == (
        "/Archives/edgar/daily-index/2018/QTR4/master.20181231.idx"
    )


def test_it_reads_the_recorded_master_indexes(corpus: Path) -> None:
    daily = list(parse_master_index((corpus / "index/master.20181231.TRIMMED.idx").read_text()))
    assert len(daily) == 10
    assert daily[0].filed == date(2018, 12, 31)
    quarterly = list(
        parse_master_index((corpus / "index/master.1993QTR4.TRIMMED.idx").read_text("latin-1"))
    )
    assert quarterly
    assert all(line.accession for line in quarterly)


def test_it_reads_company_tickers_and_suggests_near_misses(corpus: Path) -> None:
    tickers = parse_company_tickers((corpus / "json/company_tickers.json").read_bytes())
    by_ticker = {t.ticker: t for t in tickers}
    assert by_ticker["AAPL"].cik == 320193
    assert by_ticker["BRK-B"].cik == 1067983
    assert normalise_ticker("brk.b") == "BRK-B"
    assert "AAPL" in suggest("APPL", list(by_ticker))
