"""Property-based tests: EDGAR's parsers and the config loader, fed arbitrary bytes and
mutated real EDGAR responses, raise only their documented errors; and the worst 2 MB
inputs we know of parse in under a second.

The documented errors are ValueError and its subclasses (UnicodeError, JSONDecodeError,
ForeignURLError) for the parsers, ConfigError for the loader. Anything else — a
TypeError, a RecursionError, an IndexError — would escape the daemon's "one bad
filing is that filing's failure" handling as a bug. The mutations start from the
recorded corpus in ../shared/corpus (skipped when it is absent) and break it the way
transfers, truncations and hostile filers do: cut it short, drop or repeat a slice,
splice in EDGAR's own markers, flip bytes.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import math
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edgarwatch.config import ConfigError, from_mapping, load
from edgarwatch.edgar.efts import parse_search
from edgarwatch.edgar.feed import parse_feed
from edgarwatch.edgar.index_page import parse_index_page
from edgarwatch.edgar.parse import parse_document
from edgarwatch.edgar.paths import Rebaser
from edgarwatch.edgar.sec_header import parse_header
from edgarwatch.edgar.submission_reader import read_submission
from edgarwatch.edgar.submissions import parse_submissions
from tests.support import CORPUS, REPO, USER_AGENT

REBASER = Rebaser("https://www.sec.gov", "https://data.sec.gov")
HAVE_CORPUS = (CORPUS / "MANIFEST.tsv").is_file()
needs_corpus = pytest.mark.skipif(not HAVE_CORPUS, reason="../shared/corpus is not present")

PROPERTY = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ARBITRARY = settings(PROPERTY, max_examples=150)


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    """Parsers log what they skip; thousands of examples need not print it."""
    logging.disable(logging.WARNING)
    yield
    logging.disable(logging.NOTSET)


def corpus(*patterns: str, largest: int = 800_000) -> list[Path]:
    """Corpus files matching `patterns`, small enough to mutate many times a second."""
    if not HAVE_CORPUS:
        return [Path("/nonexistent")]
    files = {p for pattern in patterns for p in CORPUS.glob(pattern) if p.is_file()}
    return sorted(p for p in files if p.stat().st_size <= largest)


@functools.cache
def read(path: Path) -> bytes:
    return path.read_bytes()


MARKERS = [
    b"<",
    b">",
    b"</",
    b"/>",
    b"&",
    b"&#0;",
    b"&#xD800;",
    b"&nbsp;",
    b"&amp;",
    b"\x00",
    b"\xff\xfe",
    b"\xc3",
    b"\xe2\x80",
    b"\r",
    b"\n\n",
    b"\t",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"-->",
    b'<!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa">]>',
    b"&a;",
    b"<DOCUMENT>",
    b"</DOCUMENT>",
    b"<TEXT>",
    b"</TEXT>",
    b"<TYPE>8-K\n",
    b"<SEC-HEADER>",
    b"</SEC-HEADER>",
    b"<XBRL>",
    b"-----BEGIN PRIVACY-ENHANCED MESSAGE-----\n",
    b"ITEM INFORMATION:\t\t",
    b"FILER:\n",
    b"\tCENTRAL INDEX KEY:\t\t",
    b"ACCEPTANCE-DATETIME:\t",
    b"Item 1.01",
    b"Item 9.01.",
    b"Items 1.01 and 2.03",
    b"Item\n",
    b"SIGNATURES",
    b"<div>",
    b"</div>",
    b"<span>",
    b"<td>",
    b"<tr>",
    b"<table>",
    b"</table>",
    b"<pre>",
    b'<div style="display:none">',
    b"<ix:header>",
    b"<entry>",
    b"</entry>",
    b"<feed>",
    b"<updated>",
    b"urn:tag:sec.gov,2008:accession-number=",
    b"0001104659-07-035757",
    b'"',
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"null",
    b"-1",
    b"1e999",
    b"NaN",
    b'"filings"',
    b'"recent"',
    b'"files"',
    b'"cik"',
    b'"accessionNumber"',
    b'"acceptanceDateTime"',
    b"CIK",
    b"(Filer)",
    b'class="infoHead"',
    b'class="tableFile"',
]


LARGEST_INSERT = 256 * 1024


@st.composite
def mutated(draw: st.DrawFn, files: list[Path]) -> bytes:
    """A real EDGAR response, broken in one to five places."""
    data = bytearray(read(draw(st.sampled_from(files))))
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(data)))
        span = draw(st.integers(0, 4096))
        kind = draw(st.sampled_from(["cut", "drop", "repeat", "marker", "bytes", "flip"]))
        if kind == "cut":
            del data[at:]
        elif kind == "drop":
            del data[at : at + span]
        elif kind == "repeat":
            piece = data[at : at + span]
            data[at:at] = piece * draw(st.integers(1, max(1, LARGEST_INSERT // max(1, len(piece)))))
        elif kind == "marker":
            data[at:at] = draw(st.sampled_from(MARKERS)) * draw(st.integers(1, 2000))
        elif kind == "bytes":
            data[at:at] = draw(st.binary(max_size=64))
        elif at < len(data):
            data[at] ^= 1 << draw(st.integers(0, 7))
    return bytes(data)


def fragments(extra: list[bytes] | None = None) -> st.SearchStrategy[bytes]:
    """Bytes assembled from EDGAR's markers and noise: closer to the parsers' grammar
    than uniform random bytes, so they get past the first check."""
    markers = st.sampled_from(MARKERS + (extra or []))
    runs = st.tuples(markers, st.integers(1, 2000)).map(lambda run: run[0] * run[1])
    piece = st.one_of(markers, runs, st.binary(max_size=16))
    return st.lists(piece, max_size=60).map(b"".join)


def only(errors: tuple[type[BaseException], ...], parse: Callable[[], Any]) -> None:
    """Run `parse`; anything but the documented `errors` fails the property."""
    with contextlib.suppress(*errors):
        parse()


# -- the "Latest Filings" Atom feed ------------------------------------------------------


@ARBITRARY
@given(st.one_of(st.binary(max_size=4096), fragments()))
def test_the_feed_parser_raises_only_valueerror_on_any_bytes(data: bytes) -> None:
    only((ValueError,), lambda: parse_feed(data, REBASER))


@needs_corpus
@PROPERTY
@given(mutated(corpus("feeds/*.atom.xml")))
def test_the_feed_parser_raises_only_valueerror_on_broken_feeds(data: bytes) -> None:
    only((ValueError,), lambda: parse_feed(data, REBASER))


# -- 8-K documents: primary documents, complete submissions, .nc files -------------------


@ARBITRARY
@given(st.one_of(st.binary(max_size=4096), fragments()))
def test_the_document_parser_raises_only_valueerror_on_any_bytes(data: bytes) -> None:
    only((ValueError,), lambda: parse_document(data, declared=("1.01",)))


@needs_corpus
@PROPERTY
@given(mutated(corpus("8k/*")), st.sampled_from([(), ("1.01", "9.01"), ("5",)]))
def test_the_document_parser_raises_only_valueerror_on_broken_filings(
    data: bytes, declared: tuple[str, ...]
) -> None:
    only((ValueError,), lambda: parse_document(data, declared=declared))


# -- filing index pages --------------------------------------------------------------------


@ARBITRARY
@given(st.one_of(st.binary(max_size=4096), fragments()))
def test_the_index_page_parser_raises_only_valueerror_on_any_bytes(data: bytes) -> None:
    only((ValueError,), lambda: parse_index_page(data))


@needs_corpus
@PROPERTY
@given(mutated(corpus("index/*-index.html")))
def test_the_index_page_parser_raises_only_valueerror_on_broken_pages(data: bytes) -> None:
    only((ValueError,), lambda: parse_index_page(data))


# -- submissions JSON ------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=20), inner),
    max_leaves=30,
)
submissions_keys = st.sampled_from(
    str.split(
        "cik name tickers filings recent files accessionNumber form items "
        "acceptanceDateTime filingDate size primaryDocument 0"
    )
)
submissions_like = st.recursive(
    json_values,
    lambda inner: (
        st.dictionaries(submissions_keys, inner, max_size=6) | st.lists(inner, max_size=4)
    ),
    max_leaves=40,
)


@ARBITRARY
@given(st.one_of(st.binary(max_size=4096), fragments()))
def test_the_submissions_parser_raises_only_valueerror_on_any_bytes(data: bytes) -> None:
    only((ValueError,), lambda: parse_submissions(data, REBASER))


@ARBITRARY
@given(submissions_like, st.one_of(st.none(), st.integers(1, 10**10)))
def test_the_submissions_parser_raises_only_valueerror_on_any_json(
    document: Any, cik: int | None
) -> None:
    data = json.dumps(document).encode()
    only((ValueError,), lambda: parse_submissions(data, REBASER, cik))


@needs_corpus
@PROPERTY
@given(mutated(corpus("json/CIK*.json")))
def test_the_submissions_parser_raises_only_valueerror_on_broken_json(data: bytes) -> None:
    only((ValueError,), lambda: parse_submissions(data, REBASER))


# -- EDGAR full-text search answers ------------------------------------------------------------

efts_keys = st.sampled_from(
    str.split(
        "hits total value relation _id _source adsh form ciks display_names file_date items "
        "sequence root_forms"
    )
)
efts_like = st.recursive(
    json_values,
    lambda inner: st.dictionaries(efts_keys, inner, max_size=6) | st.lists(inner, max_size=4),
    max_leaves=40,
)


@ARBITRARY
@given(st.one_of(st.binary(max_size=4096), fragments()))
def test_the_full_text_search_parser_raises_only_valueerror_on_any_bytes(data: bytes) -> None:
    only((ValueError,), lambda: parse_search(data, REBASER))


@ARBITRARY
@given(efts_like)
def test_the_full_text_search_parser_raises_only_valueerror_on_any_json(document: Any) -> None:
    data = json.dumps({"hits": {"total": {"value": 1}, "hits": [document]}}).encode()
    only((ValueError,), lambda: parse_search(data, REBASER))
    only((ValueError,), lambda: parse_search(json.dumps(document).encode(), REBASER))


# -- SEC headers and complete submissions ----------------------------------------------------


@ARBITRARY
@given(st.one_of(st.binary(max_size=4096), fragments()))
def test_the_header_parser_raises_only_valueerror_on_any_bytes(data: bytes) -> None:
    only((ValueError,), lambda: parse_header(data))
    only((ValueError,), lambda: read_submission(data))


@needs_corpus
@PROPERTY
@given(mutated(corpus("index/*.hdr.sgml", "index/*-index-headers.html", "8k/*.txt", "8k/*.nc")))
def test_the_header_parser_raises_only_valueerror_on_broken_headers(data: bytes) -> None:
    only((ValueError,), lambda: parse_header(data))
    only((ValueError,), lambda: read_submission(data))


# -- the configuration loader ------------------------------------------------------------------

toml_keys = st.sampled_from(
    str.split(
        "edgar poll watch storage notify slack email webhook channels log rules "
        "user_agent requests_per_second interval_seconds ciks tickers file path items "
        "forms kind webhook_url url secret host port security recipients sender password "
        "level all x"
    )
)
toml_values = st.recursive(
    st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(toml_keys, inner, max_size=5),
    max_leaves=30,
)
config_documents = st.dictionaries(toml_keys, toml_values, max_size=8)


@ARBITRARY
@given(config_documents)
def test_the_config_loader_raises_only_configerror_on_any_document(document: Any) -> None:
    only((ConfigError,), lambda: from_mapping(document, environ={}))


@ARBITRARY
@given(
    st.dictionaries(
        st.sampled_from(["edgar", "poll", "notify", "watch"]),
        st.dictionaries(
            st.sampled_from(
                str.split(
                    "requests_per_second read_timeout request_deadline_seconds max_retries "
                    "interval_seconds off_hours_interval_seconds lookback_minutes give_up_hours "
                    "dispatch_seconds max_backoff_seconds catch_up_days"
                )
            ),
            st.integers(-(2**70), 2**70) | st.floats(),
        ),
    )
)
def test_every_number_the_config_loader_accepts_is_finite(document: Any) -> None:
    """inf and nan pass `value < minimum` checks; a poll every `inf` seconds is no poll."""
    document = {**document, "edgar": {**document.get("edgar", {}), "user_agent": USER_AGENT}}
    try:
        settings = from_mapping(document, environ={})
    except ConfigError:
        return
    for section in (settings.edgar, settings.poll, settings.notify, settings.watch):
        for value in vars(section).values():
            if isinstance(value, int | float) and not isinstance(value, bool):
                assert math.isfinite(value)
                assert abs(value) < 2**63


@ARBITRARY
@given(st.dictionaries(toml_keys, toml_values, max_size=8))
def test_a_valid_edgar_section_with_anything_else_raises_only_configerror(document: Any) -> None:
    document = {**document, "edgar": {"user_agent": USER_AGENT}}
    only((ConfigError,), lambda: from_mapping(document, environ={}))


@PROPERTY
@given(
    data=st.one_of(
        st.binary(max_size=2048),
        mutated([REPO / "config.toml"]),
        fragments([b"[edgar]\n", b"[[notify.rules]]\n", b" = ", b'"', b"'''", b"\n"]),
    )
)
def test_the_config_loader_raises_only_configerror_on_any_file(
    data: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("config") / "config.toml"
    path.write_bytes(data)
    only((ConfigError,), lambda: load(path, environ={}))


# -- the worst 2 MB inputs we know of ----------------------------------------------------------

MB2 = 2 * 1024 * 1024
ATOM = b'<?xml version="1.0" encoding="ISO-8859-1" ?>\n<feed xmlns="http://www.w3.org/2005/Atom">'


def fill(unit: bytes, size: int = MB2) -> bytes:
    return (unit * (size // len(unit) + 1))[:size]


def nested(tag: str) -> bytes:
    return fill(f"<{tag}>".encode())


WORST_DOCUMENTS = {
    **{f"nested <{tag}>": nested(tag) for tag in ("div", "ul", "span", "font", "pre", "b")},
    "nested <span> then unmatched end tags": fill(b"<span>", MB2 // 2) + fill(b"</x>", MB2 // 2),
    "<span><div></span></div>": fill(b"<span><div></span></div>"),
    "2 MB of <p>x": fill(b"<p>x"),
    "2 MB of <br>": b"<html>" + fill(b"<br>"),
    "one huge line": fill(b"word "),
    "2 MB of <td>": fill(b"<td>"),
    "2 MB of <td>x</td>": fill(b"<td>x</td>"),
    'repeated "Item 1.01" headings': fill(
        b"<p><b>Item 1.01. Entry into a Material Definitive Agreement.</b></p>\n"
    ),
    'repeated "Item 1.01" lines': fill(b"Item 1.01\n"),
    '"Item 1.01" chained on one line': fill(b"Item 1.01 "),
    "blank lines": fill(b"\n"),
    "hidden elements in the body": b"<html><body>" + fill(b"<p><title>x</title>y</p>"),
    "a submission of nested divs": b"<SEC-DOCUMENT>\n<SEC-HEADER>\n</SEC-HEADER>\n<DOCUMENT>\n"
    b"<TYPE>8-K\n<TEXT>\n" + nested("div"),
    "a submission of 60,000 documents": b"<SEC-DOCUMENT>\n<SEC-HEADER>\n</SEC-HEADER>\n"
    + fill(b"<DOCUMENT>\n<TYPE>EX-99\n<TEXT>\nx\n</TEXT>\n</DOCUMENT>\n"),
}
WORST_INDEX_PAGES = {
    name: WORST_DOCUMENTS[name]
    for name in ("nested <div>", "nested <ul>", "<span><div></span></div>", "2 MB of <td>")
} | {
    "2 MB of document rows": b'<table class="tableFile"><tr><th>Seq</th><th>Document</th></tr>'
    + fill(b'<tr><td>1</td><td><a href="/Archives/edgar/data/1/2/x.htm">x.htm</a></td></tr>'),
    "2 MB of infoHead": fill(b'<div class="infoHead">Items</div><div class="info">Item 1.01<br>'),
}
WORST_FEEDS = {
    "2 MB of <entry>": ATOM + fill(b"<entry><title>8-K - X (0000000001) (Filer)</title></entry>"),
    "2 MB of elements": ATOM + fill(b"<x/>") + b"</feed>",
    "nested elements": ATOM + b"<a>" * 200_000 + b"</a>" * 200_000 + b"</feed>",
    "2 MB that is not XML": nested("div"),
    "one 2 MB summary": ATOM
    + b'<entry><summary type="html">'
    + fill(b"&lt;br&gt;Item 1.01: x\n")
    + b"</summary></entry></feed>",
}
WORST_SUBMISSIONS = {
    "nested arrays": fill(b"["),
    "nested objects": fill(b'{"a":'),
    "90,000 filings": b'{"cik": 1, "filings": {"recent": {"accessionNumber": ['
    + b",".join([b'"0000000001-26-000001"'] * 90_000)
    + b"]}}}",
}
HIT = (
    b'{"_id": "0001104659-07-035757:a.htm", "_source": {"adsh": "0001104659-07-035757", '
    b'"form": "8-K", "ciks": ["0000855654"], "display_names": ["IMMUNOGEN INC  (CIK 0000855654)"]}}'
)
WORST_SEARCH_ANSWERS = {
    "nested arrays": fill(b"["),
    "a display name of white space": b'{"hits": {"hits": [{"_source": {"adsh": '
    b'"0001104659-07-035757", "form": "8-K", "ciks": ["1"], "display_names": ["'
    + fill(b" ", MB2 - 200)
    + b'"]}}]}}',
    "2 MB of hits": b'{"hits": {"total": {"value": 1}, "hits": ['
    + b",".join([HIT] * (MB2 // len(HIT)))
    + b"]}}",
}
WORST_HEADERS = {
    "blank lines": fill(b"\n"),
    "2 MB of tag lines": fill(b"<A>\n"),
    "2 MB of key lines": fill(b"A:\n"),
    "2 MB of ITEM INFORMATION": b"<SEC-HEADER>\n"
    + fill(b"ITEM INFORMATION:\t\tEntry into a Material Definitive Agreement\n"),
    "2 MB of companies": fill(b"FILER:\n\tCOMPANY DATA:\n\t\tCENTRAL INDEX KEY:\t\t0000000001\n"),
}
PARSERS: dict[str, Callable[[bytes], object]] = {
    "document": lambda data: parse_document(data, declared=("1.01",)),
    "index page": parse_index_page,
    "feed": lambda data: parse_feed(data, REBASER),
    "submissions": lambda data: parse_submissions(data, REBASER),
    "full-text search": lambda data: parse_search(data, REBASER),
    "header": parse_header,
}
WORST = [
    *(("document", name) for name in WORST_DOCUMENTS),
    *(("index page", name) for name in WORST_INDEX_PAGES),
    *(("feed", name) for name in WORST_FEEDS),
    *(("submissions", name) for name in WORST_SUBMISSIONS),
    *(("full-text search", name) for name in WORST_SEARCH_ANSWERS),
    *(("header", name) for name in WORST_HEADERS),
]
INPUTS = {
    "document": WORST_DOCUMENTS,
    "index page": WORST_INDEX_PAGES,
    "feed": WORST_FEEDS,
    "submissions": WORST_SUBMISSIONS,
    "full-text search": WORST_SEARCH_ANSWERS,
    "header": WORST_HEADERS,
}


@pytest.mark.parametrize(("parser", "name"), WORST, ids=[f"{p}: {n}" for p, n in WORST])
def test_a_2_mb_worst_case_parses_in_under_a_second(parser: str, name: str) -> None:
    """CPU time of this process, so other processes on a busy CI machine do not count."""
    data = INPUTS[parser][name]
    assert len(data) >= MB2 - 64 or parser in ("feed", "submissions", "full-text search")
    started = time.process_time()
    only((ValueError,), lambda: PARSERS[parser](data))
    assert time.process_time() - started < 1.0
