"""Property-based tests: EDGAR's parsers and the config loader, fed arbitrary bytes and
mutated real EDGAR responses, raise only their documented errors.

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
import logging
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edgarwatch.config import ConfigError, from_mapping, load
from edgarwatch.edgar.feed import parse_feed
from edgarwatch.edgar.index_page import parse_index_page
from edgarwatch.edgar.parse import parse_document
from edgarwatch.edgar.paths import Rebaser
from edgarwatch.edgar.submission import parse_header, read_submission
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
    import json

    data = json.dumps(document).encode()
    only((ValueError,), lambda: parse_submissions(data, REBASER, cik))


@needs_corpus
@PROPERTY
@given(mutated(corpus("json/CIK*.json")))
def test_the_submissions_parser_raises_only_valueerror_on_broken_json(data: bytes) -> None:
    only((ValueError,), lambda: parse_submissions(data, REBASER))


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
