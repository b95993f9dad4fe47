"""EDGAR full-text search (EFTS) answers: the second, independent source of new 8-Ks.

`efts.sec.gov/LATEST/search-index?q=&forms=8-K&dateRange=custom&startdt=…&enddt=…&from=N`
answers Elasticsearch-shaped JSON (recorded responses: /work/notes/efts.md,
chiefly `yjy1304/sec-data-collecter` `docs/sec-api-guide.md`):

* `hits.total` = `{"value": N, "relation": "eq"}` (`"gte"` with 10,000 past
  Elasticsearch's result window); `hits.hits[]` 100 to a page, paged by `from`;
* one hit per *document*: `_id` is `accession:filename`, and an 8-K with three
  documents can be three hits sharing `_source.adsh` — merged here by accession;
* `_source`: `adsh`, `form`, `ciks` (10-digit strings), `display_names`
  (`"NAME  (TICKER)  (CIK 0000320193)"`, two spaces before each parenthesis,
  the name at filing time), `file_date` (a date: EFTS has no acceptance
  time), `items` (`["1.01", "9.01"]` for 8-Ks), `sequence` (int or string).

EFTS says nothing of roles: a company found here has role None (unknown) until
the feed, the index page or the SEC header say which is the Filer. A hostile
or broken hit is logged and skipped; the rest of the page counts.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from edgarwatch.edgar.paths import ForeignURLError, Rebaser, filing_index_path
from edgarwatch.filing import Company, Filing, merge, normalise_accession
from edgarwatch.items import is_item_number

logger = logging.getLogger(__name__)

PAGE_SIZE = 100
MAX_DISPLAY_CHARS = 1_000
"""A display name is a company name and two short suffixes; a longer one is not read."""
_CIK_SUFFIX_RE = re.compile(r"\s*\((?:[^()]*,\s*)?CIK\s*(\d{1,10})\)\s*$", re.I)
_TICKER_SUFFIX_RE = re.compile(r"\s*\(([A-Z0-9.\-]{1,10}(?:,\s*[A-Z0-9.\-]{1,10})*)\)\s*$")


@dataclass(frozen=True)
class SearchPage:
    """One page of hits, merged into filings (one per accession)."""

    filings: tuple[Filing, ...]
    hits: int
    """How many hits (documents) the page held."""
    total: int
    """`hits.total.value`: every hit of the query (10,000 at most when not exact)."""
    exact: bool
    """`hits.total.relation` is "eq"."""


def parse_search(data: bytes, rebaser: Rebaser) -> SearchPage:
    """Parse one EFTS answer; ValueError when it is not a search response at all."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not JSON: {exc}") from None
    except RecursionError:  # json recurses per nesting level
        raise ValueError("not a search answer: JSON nests too deeply") from None
    hits = document.get("hits") if isinstance(document, dict) else None
    if not isinstance(hits, dict) or not isinstance(hits.get("hits"), list):
        raise ValueError("not an EDGAR full-text search answer (no hits.hits)")
    total, exact = _total(hits.get("total"))
    filings = []
    for hit in hits["hits"]:
        try:
            filings.append(_filing(hit, rebaser))
        except (ValueError, KeyError, TypeError, ForeignURLError) as exc:
            logger.warning("skipping a full-text search hit that is not a filing: %s", exc)
    return SearchPage(tuple(merge(filings)), len(hits["hits"]), total, exact)


def _total(value: Any) -> tuple[int, bool]:
    if isinstance(value, dict):  # Elasticsearch 7: {"value": N, "relation": "eq"}
        number = value.get("value")
        return (int(number) if isinstance(number, int) else 0), value.get("relation") == "eq"
    if isinstance(value, int) and not isinstance(value, bool):  # Elasticsearch 6: a number
        return value, True
    return 0, False


def _filing(hit: Any, rebaser: Rebaser) -> Filing:
    source = hit["_source"]
    if not isinstance(source, dict):
        raise ValueError("hit without _source")
    accession = normalise_accession(
        str(source.get("adsh") or str(hit.get("_id", "")).split(":")[0])
    )
    companies = _companies(source.get("ciks"), source.get("display_names"))
    if not companies:
        raise ValueError(f"hit {accession} names no company")
    form = str(source.get("form") or "").strip()
    if not form:
        raise ValueError(f"hit {accession} has no form")
    items = source.get("items")
    if not isinstance(items, list):
        items = []
    return Filing(
        accession=accession,
        form=form,
        companies=companies,
        url=rebaser.url(filing_index_path(companies[0].cik, accession)),
        filed=_date(source.get("file_date")),
        items=tuple(n for n in dict.fromkeys(str(i).strip() for i in items) if is_item_number(n)),
    )


def _companies(ciks: Any, names: Any) -> tuple[Company, ...]:
    """Each CIK with its display name (by the name's own `(CIK …)` where it has one)."""
    named: dict[int, str] = {}
    for display in names if isinstance(names, list) else []:
        cik, name = company_name(str(display))
        if cik is not None:
            named.setdefault(cik, name)
    companies: list[Company] = []
    for value in ciks if isinstance(ciks, list) else []:
        text = str(value).strip()
        if not text.isdigit() or not 0 < int(text) < 10**10:
            continue
        cik = int(text)
        companies.append(Company(cik=cik, name=named.get(cik, ""), role=None))
    return tuple(dict.fromkeys(companies))


def company_name(display: str) -> tuple[int | None, str]:
    """`"Apple Inc.  (AAPL)  (CIK 0000320193)"` → (320193, "Apple Inc.").

    Read from the right: names can hold parentheses themselves ("Boeing Co
    (The)  (BA)  (CIK 0000012927)"); a legacy form puts the ticker inside the
    CIK's parenthesis ("ACME CORP  (ACME, CIK 0001234567)").
    """
    if len(display) > MAX_DISPLAY_CHARS:  # the suffix regexes are quadratic in white space
        return None, " ".join(display[:MAX_DISPLAY_CHARS].split())
    match = _CIK_SUFFIX_RE.search(display)
    if not match:
        return None, " ".join(display.split())
    rest = display[: match.start()]
    rest = _TICKER_SUFFIX_RE.sub("", rest) if "  (" in display else rest
    return int(match.group(1)), " ".join(rest.split())


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
