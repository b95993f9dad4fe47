"""EDGAR's front door: one function per source, each owning its paths, paging and statuses.

The daemon and the CLI read EDGAR only through these functions; none of
them builds a path or interprets an HTTP status. Each takes the shared
`EdgarClient` (identity, rate limit, retries, the 403 pause) and returns
domain values.

| function          | source                                         | what a status means here |
| ----------------- | ---------------------------------------------- | ------------------------ |
| `latest_filings`  | "Latest Filings" Atom (getcurrent, type=8-K)   | 503 past page one: the feed's end |
| `newest_filings`  | the same feed, down to the first known accession: one `count=10` page when nothing is new | 503 past page one: the feed's end |
| `full_text_search`| EDGAR full-text search (efts.sec.gov), one filing day | — |
| `company`         | submissions JSON (data.sec.gov)                | 404: no such CIK → None |
| `company_filings` | submissions JSON and its `filings.files` pages | 404: no such CIK → [] |
| `daily_index`     | daily master index                             | 404: not built yet, or no filing day → None |
| `company_tickers` | `/files/company_tickers.json`                  | — |
| `read_filing`     | complete submission `.txt`, or index page + primary document | — |

Any other failure raises an `EdgarError` subclass (`EdgarBlocked` for the
SEC's 403, `UnexpectedResponse` for a 200 that is not the format expected).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

from edgarwatch.company import Ticker
from edgarwatch.edgar import efts, paths
from edgarwatch.edgar.client import EdgarClient, EdgarError, EdgarResponse, UnexpectedResponse
from edgarwatch.edgar.daily_index import filings_from_index, parse_master_index
from edgarwatch.edgar.feed import FeedPage, parse_feed
from edgarwatch.edgar.index_page import parse_index_page
from edgarwatch.edgar.local_files import parse_with_index_page
from edgarwatch.edgar.parse import parse_document
from edgarwatch.edgar.parsed import ParsedFiling
from edgarwatch.edgar.submissions import CompanySubmissions, parse_submissions
from edgarwatch.edgar.tickers import parse_company_tickers
from edgarwatch.filing import Filing, FilingReport, merge, merge_companies

logger = logging.getLogger(__name__)

FEED_FORM = "8-K"
"""getcurrent's `type` is a prefix: 8-K, 8-K/A, 8-K12B, … in one feed."""
PAGE_SIZE = 100
FEED_PAGE_MAX_BYTES = 4 * 1024 * 1024
"""A real page of 100 entries is about 60 KB; anything near this is not EDGAR's feed."""
COMPLETE_SUBMISSION_MAX_BYTES = 1_000_000
OK_OR_MISSING = frozenset({200, 404})


# --------------------------------------------------------------------------- the feed


@dataclass
class FeedScan:
    """What reading the feed back to a point found."""

    filings: list[Filing] = field(default_factory=list)
    pages: int = 0
    reached: bool = False
    """True when the scan got back to `stop_at` (or only one page was wanted)."""
    end_of_feed: bool = False
    """The feed ended (a short page, or 503 past the first page) before `stop_at`."""
    oldest: datetime | None = None

    @property
    def newest(self) -> datetime | None:
        return max((f.accepted_at for f in self.filings if f.accepted_at), default=None)


def latest_filings(client: EdgarClient, stop_at: datetime | None, max_pages: int) -> FeedScan:
    """Read the 8-K feed newest first until a page reaches back past `stop_at`.

    `stop_at=None` reads one page. EDGAR answers 503 for a `start` past the
    end of the feed: past the first page that is the end, not an outage.
    """
    scan = FeedScan()
    for start in range(0, max_pages * PAGE_SIZE, PAGE_SIZE):
        page = _feed_page(client, start, PAGE_SIZE)
        if page is None:
            scan.end_of_feed = True
            break
        scan.pages += 1
        scan.filings.extend(page.filings)
        oldest = page.oldest_accepted_at
        scan.oldest = min(filter(None, (scan.oldest, oldest)), default=None)
        if stop_at is None or (oldest is not None and oldest < stop_at):
            scan.reached = True
            break
        if page.entry_count < PAGE_SIZE:
            scan.end_of_feed = True
            break
    scan.filings = merge(scan.filings)  # a filing's roles can straddle two pages
    return scan


SMALL_PAGE = 10
"""An idle poll's page: ~6 KB instead of ~58 KB for 100 entries (EDGAR.md, 10.8)."""


def newest_filings(
    client: EdgarClient, known: Callable[[Sequence[str]], set[str]], max_pages: int
) -> FeedScan:
    """The newest 8-Ks down to the first accession `known` recognises.

    Accession, never time, decides what is new. One `count=10` page when
    anything on it is known (an idle poll: one small request); when all of it
    is new, `count=100` pages from the top until a page holds a known
    accession (`reached`), the feed ends, or `max_pages`. Filings inserted
    *below* known ones — EDGAR posts after-hours 8-Ks the next morning at
    their evening acceptance time — are the sweep's to find, not the poll's.
    """
    scan = FeedScan()
    page = _feed_page(client, 0, SMALL_PAGE)
    if page is None:  # never at start=0 (a 503 there is an outage, raised), but typed so
        scan.end_of_feed = True
        return scan
    scan.pages = 1
    if _add_page(scan, page, known) or page.entry_count < SMALL_PAGE:
        scan.end_of_feed = not scan.reached
        scan.filings = merge(scan.filings)
        return scan
    scan.filings.clear()
    for start in range(0, max_pages * PAGE_SIZE, PAGE_SIZE):
        feed_page = _feed_page(client, start, PAGE_SIZE)
        if feed_page is None:
            scan.end_of_feed = True
            break
        scan.pages += 1
        if _add_page(scan, feed_page, known):
            break
        if feed_page.entry_count < PAGE_SIZE:
            scan.end_of_feed = True
            break
    scan.filings = merge(scan.filings)
    return scan


def _feed_page(client: EdgarClient, start: int, count: int) -> FeedPage | None:
    """One getcurrent page; None for EDGAR's 503 past the end (beyond the first page)."""
    response = client.get(
        paths.current_feed_path(FEED_FORM, start, count),
        ok_statuses=frozenset({200}) if start == 0 else frozenset({200, 503}),
        max_bytes=FEED_PAGE_MAX_BYTES,
    )
    if response.status == 503:
        return None
    try:
        return parse_feed(response.content, client.rebaser)
    except ValueError as exc:
        raise UnexpectedResponse(f"{response.url} is not the Atom feed ({exc})") from None


def _add_page(scan: FeedScan, page: FeedPage, known: Callable[[Sequence[str]], set[str]]) -> bool:
    """Add a page's filings; True when one of them is known (the scan reached known ground)."""
    scan.filings.extend(page.filings)
    oldest = page.oldest_accepted_at
    scan.oldest = min(filter(None, (scan.oldest, oldest)), default=None)
    accessions = [f.accession for f in page.filings]
    scan.reached = bool(accessions) and len(known(accessions)) > 0
    return scan.reached


# --------------------------------------------------------------------------- full-text search


@dataclass
class SearchScan:
    """What full-text search holds for one filing day."""

    filings: list[Filing] = field(default_factory=list)
    pages: int = 0
    total: int = 0
    complete: bool = False
    """Every hit of the day was read (not cut by `max_pages` or the 10,000-hit window)."""
    unchanged: bool = False
    """The day's total was the one already known: only the first page was read."""


def full_text_search(
    client: EdgarClient,
    day: date,
    *,
    form: str = FEED_FORM,
    max_pages: int = 20,
    known_total: int | None = None,
) -> SearchScan:
    """Every `form` filing EDGAR full-text search holds for filing day `day`.

    EFTS answers 100 hits a page, one per *document*, in an order EDGAR does
    not document: so every page of the day is read (`from` = 0, 100, …) and
    hits are merged by accession. It is a complete index that runs ~30–45 s
    behind the feed (EDGAR.md): the independent second source. When the first
    page's exact total equals `known_total` (the last scan's), nothing was
    indexed since: one request, and the scan stops there (`complete`).
    """
    scan = SearchScan()
    for start in range(0, max_pages * efts.PAGE_SIZE, efts.PAGE_SIZE):
        response = client.get(paths.full_text_search_path(form, day, start))
        try:
            page = efts.parse_search(response.content, client.rebaser)
        except ValueError as exc:
            raise UnexpectedResponse(f"{response.url} is not a search answer ({exc})") from None
        scan.pages += 1
        scan.total = page.total
        scan.filings.extend(page.filings)
        if start == 0 and page.exact and page.total == known_total:
            scan.unchanged = scan.complete = True
            break
        if page.hits < efts.PAGE_SIZE or start + page.hits >= page.total:
            scan.complete = page.exact or page.total < 10_000
            break
    scan.filings = merge(scan.filings)
    return scan


# --------------------------------------------------------------------------- companies


def company(client: EdgarClient, cik: int) -> CompanySubmissions | None:
    """A company's submissions JSON (name, tickers, recent filings); None: no such CIK."""
    response = client.get(paths.submissions_path(cik), ok_statuses=OK_OR_MISSING)
    if response.status == 404:
        return None
    try:
        return parse_submissions(response.content, client.rebaser, cik)
    except (ValueError, KeyError, TypeError) as exc:
        raise UnexpectedResponse(f"{response.url} is not a submissions JSON ({exc})") from None


def company_filings(client: EdgarClient, cik: int, since: date) -> list[Filing]:
    """A company's filings dated `since` or later, following `filings.files` pages back.

    A page that cannot be read is skipped (logged): the rest still counts.
    """
    submissions = company(client, cik)
    if submissions is None:
        logger.warning("CIK %d has no submissions JSON (is it a real CIK?)", cik)
        return []
    filings = list(submissions.filings)
    for name in submissions.pages_since(since):
        try:
            response = client.get(paths.submissions_page_path(name))
            older = parse_submissions(response.content, client.rebaser, cik)
        except (EdgarError, ValueError) as exc:
            logger.warning("submissions page %s unavailable: %s", name, exc)
            continue
        filings += [submissions.named(filing) for filing in older.filings]
    return [f for f in filings if f.filed is None or f.filed >= since]


def company_tickers(client: EdgarClient) -> list[Ticker]:
    """Every ticker the SEC lists, with its CIK and company name."""
    response = client.get(paths.tickers_path())
    try:
        return parse_company_tickers(response.content)
    except ValueError as exc:
        raise UnexpectedResponse(f"{response.url} is not company_tickers.json ({exc})") from None


# --------------------------------------------------------------------------- by day


def daily_index(client: EdgarClient, day: date) -> list[Filing] | None:
    """The 8-Ks of one day's master index; None when it is not built (or no filing day)."""
    response = client.get(paths.daily_master_index_path(day), ok_statuses=OK_OR_MISSING)
    if response.status == 404:
        return None
    return filings_from_index(parse_master_index(response.text), client.rebaser)


# --------------------------------------------------------------------------- one filing


def read_filing(client: EdgarClient, filing: Filing) -> FilingReport:
    """Fetch and parse a filing's documents, as cheaply as EDGAR allows.

    Small filings (the feed says how big): the complete submission `.txt` in
    one request — SEC header (items, companies, acceptance time) and every
    document. Otherwise, or when the size is unknown: the filing index page
    (items, "Accepted", every exhibit) and then the primary document: two
    requests, whatever the size of the exhibits. Raises EdgarError or ValueError.
    """
    if filing.size is not None and filing.size <= COMPLETE_SUBMISSION_MAX_BYTES:
        response = client.get(paths.complete_submission_path(filing.cik, filing.accession))
        folder = paths.folder_path(filing.cik, filing.accession)
        parsed = parse_document(
            response.content,
            declared=filing.items,
            filed=filing.filed,
            archive_url=client.rebaser.url(folder),
        )
        return _report(filing, parsed, last_modified(response))
    index_url = filing.url or paths.filing_index_path(filing.cik, filing.accession)
    index = client.get(index_url)
    page = parse_index_page(index.content, client.rebaser.base_url)
    if page.primary_document is None:
        raise ValueError(f"the index page of {filing.accession} lists no primary document")
    document = client.get(page.primary_document.url)
    parsed = parse_with_index_page(document.content, page, declared=filing.items)
    return _report(filing, parsed, last_modified(index))


def last_modified(response: EdgarResponse) -> datetime | None:
    """A response's `Last-Modified` (an index page's is its filing's acceptance time:
    the first public moment of a filing posted at once, EDGAR.md)."""
    value = response.headers.get("last-modified")
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _report(filing: Filing, parsed: ParsedFiling, public_at: datetime | None) -> FilingReport:
    """The parse attached to its filing, with what the documents add to the filing."""
    known = replace(
        filing,
        companies=merge_companies(filing.companies + parsed.companies),
        accepted_at=parsed.accepted_at or filing.accepted_at,
        primary_document=parsed.primary_document or filing.primary_document,
        period=parsed.period or filing.period,
        file_number=parsed.file_number or filing.file_number,
    )
    return replace(parsed.report(known), public_at=public_at)


__all__ = [
    "FeedScan",
    "SearchScan",
    "company",
    "company_filings",
    "company_tickers",
    "daily_index",
    "full_text_search",
    "latest_filings",
    "newest_filings",
    "read_filing",
]
