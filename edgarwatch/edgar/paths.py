"""EDGAR's real paths, and the rule that every URL lands on a configured host.

Feeds and index pages carry absolute links (`https://www.sec.gov/Archives/…`).
The daemon never follows a host it was not configured with: `Rebaser`
keeps only a link's path and query, checks the path is one of EDGAR's, and
puts it on `base_url` (or `data_url` for data.sec.gov paths, `efts_url` for
full-text search). That is what
lets a local mirror or the replay stand in for sec.gov, and what stops a
hostile feed from sending us elsewhere.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode, urlsplit

from edgarwatch.filing import normalise_accession

# Paths served by www.sec.gov (base_url) and data.sec.gov (data_url).
BASE_PATH_PREFIXES = ("/Archives/edgar/", "/cgi-bin/browse-edgar", "/files/", "/ix")
DATA_PATH_PREFIXES = ("/submissions/", "/api/xbrl/")
EFTS_PATH_PREFIXES = ("/LATEST/search-index",)
"""EDGAR full-text search, served by efts.sec.gov (efts_url)."""

FEED_COUNTS = (10, 20, 40, 80, 100)
"""getcurrent accepts only these page sizes."""


class ForeignURLError(ValueError):
    """A link points at something that is not an EDGAR path; it is not fetched."""


def current_feed_path(form: str = "8-K", start: int = 0, count: int = 100) -> str:
    """The "Latest Filings" Atom feed (getcurrent), newest first; `type` is a prefix match."""
    if count not in FEED_COUNTS:
        raise ValueError(f"getcurrent count must be one of {FEED_COUNTS}, not {count}")
    query = {
        "action": "getcurrent",
        "CIK": "",
        "type": form,
        "company": "",
        "dateb": "",
        "owner": "include",
        "start": str(start),
        "count": str(count),
        "output": "atom",
    }
    return "/cgi-bin/browse-edgar?" + urlencode(query)


def full_text_search_path(form: str, day: date, start: int = 0) -> str:
    """EDGAR full-text search for one form's filings of one filing day (`from` pages by 100).

    An empty `q` with a form is what EDGAR's own search page sends for "every
    filing of this form"; `dateRange=custom` with `startdt` = `enddt` = the day.
    """
    query = {
        "q": "",
        "forms": form,
        "dateRange": "custom",
        "startdt": day.isoformat(),
        "enddt": day.isoformat(),
        "from": str(start),
    }
    return "/LATEST/search-index?" + urlencode(query)


def folder_path(cik: int, accession: str) -> str:
    """`/Archives/edgar/data/{cik}/{accession-no-dashes}/`; any of the filing's CIKs works."""
    digits = normalise_accession(accession).replace("-", "")
    return f"/Archives/edgar/data/{cik}/{digits}/"


def filing_index_path(cik: int, accession: str) -> str:
    accession = normalise_accession(accession)
    return f"{folder_path(cik, accession)}{accession}-index.htm"


def complete_submission_path(cik: int, accession: str) -> str:
    accession = normalise_accession(accession)
    return f"{folder_path(cik, accession)}{accession}.txt"


def submissions_path(cik: int) -> str:
    """data.sec.gov submissions JSON: CIK zero-padded to 10 digits."""
    return f"/submissions/CIK{cik:010d}.json"


def submissions_page_path(name: str) -> str:
    """An overflow page listed in `filings.files` (`CIK0000320193-submissions-001.json`)."""
    if "/" in name or not name.endswith(".json"):
        raise ForeignURLError(f"not a submissions page name: {name!r}")
    return f"/submissions/{name}"


def tickers_path() -> str:
    return "/files/company_tickers.json"


def daily_master_index_path(day: date) -> str:
    quarter = (day.month - 1) // 3 + 1
    return f"/Archives/edgar/daily-index/{day.year}/QTR{quarter}/master.{day:%Y%m%d}.idx"


class Rebaser:
    """Puts EDGAR paths, and links found in EDGAR's documents, on the configured hosts."""

    def __init__(self, base_url: str, data_url: str, efts_url: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self.data_url = data_url.rstrip("/")
        self.efts_url = (efts_url or "https://efts.sec.gov").rstrip("/")

    def url(self, path_or_url: str) -> str:
        """An absolute URL on base_url/data_url for an EDGAR path or a link to one.

        Raises ForeignURLError for anything that is not one of EDGAR's paths.
        """
        parts = urlsplit(path_or_url.strip())
        path = parts.path or "/"
        if not path.startswith("/") or ".." in path.split("/"):
            raise ForeignURLError(f"not an EDGAR path: {path_or_url[:200]!r}")
        suffix = path + (f"?{parts.query}" if parts.query else "")
        if path.startswith(DATA_PATH_PREFIXES):
            return self.data_url + suffix
        if path.startswith(EFTS_PATH_PREFIXES):
            return self.efts_url + suffix
        if path.startswith(BASE_PATH_PREFIXES):
            return self.base_url + suffix
        raise ForeignURLError(f"not an EDGAR path: {path_or_url[:200]!r}")
