"""data.sec.gov submissions JSON (`/submissions/CIK##########.json`): the catch-up tier.

`filings.recent` is column-oriented (parallel arrays `accessionNumber`,
`form`, `items`, `acceptanceDateTime`, …), holding about 1,000 filings;
older ones are in the pages named by `filings.files`, which are the bare
column arrays with no wrapper. Two traps (corpus README):

* `acceptanceDateTime` says `…Z` but is US Eastern local time (Apple
  0000320193-24-000005: `2024-02-01T16:30:30.000Z`, while its SEC header and
  index page both say 16:30:30 Eastern). We read it as Eastern.
* It can lag sec.gov by hours: right for catch-up, wrong for speed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from edgarwatch.edgar.paths import Rebaser, filing_index_path
from edgarwatch.filing import EASTERN, Company, Filing, normalise_accession
from edgarwatch.items import is_item_number

logger = logging.getLogger(__name__)

MAX_ROWS = 10_000
"""Filings read per document, newest first: `recent` holds about 1,000, an
overflow page about as many."""


@dataclass(frozen=True)
class CompanySubmissions:
    cik: int
    name: str
    tickers: tuple[str, ...]
    filings: tuple[Filing, ...]
    pages: tuple[str, ...]
    """Overflow page names (`CIK0000320193-submissions-001.json`), oldest last."""
    pages_to: tuple[date | None, ...] = ()
    """Each overflow page's last filing date (`filingTo`), when given."""

    def pages_since(self, since: date) -> list[str]:
        """The overflow pages that reach back to `since` (or do not say how far)."""
        ends = self.pages_to or (None,) * len(self.pages)
        return [
            name for name, last in zip(self.pages, ends, strict=True) if not last or last >= since
        ]

    def named(self, filing: Filing) -> Filing:
        """Overflow pages carry no company name; borrow it from the main document."""
        if self.filings and not filing.companies[0].name:
            return replace(filing, companies=self.filings[0].companies)
        return filing


def parse_submissions(data: bytes, rebaser: Rebaser, cik: int | None = None) -> CompanySubmissions:
    """Parse a submissions JSON document or one of its overflow pages; ValueError if it is not."""
    try:
        document = json.loads(data)
    except RecursionError:  # json recurses per nesting level: "[[[[…" is not a submissions file
        raise ValueError("submissions JSON nests too deeply") from None
    if not isinstance(document, dict):
        raise ValueError("submissions JSON is not an object")
    if "filings" in document:
        filings = document["filings"]
        if not isinstance(filings, dict):
            raise ValueError("submissions JSON: 'filings' is not an object")
        cik = _cik(document.get("cik")) or cik
        name = str(document.get("name") or "")
        tickers = tuple(str(t) for t in _list(document.get("tickers")))
        columns = filings.get("recent") or {}
        files = [f for f in _list(filings.get("files")) if isinstance(f, dict) and f.get("name")]
        pages = tuple(str(f["name"]) for f in files)
        pages_to = tuple(_date(f.get("filingTo")) for f in files)
    else:  # an overflow page: just the columns
        name, tickers, columns, pages, pages_to = "", (), document, (), ()
    if not isinstance(columns, dict):
        raise ValueError("submissions JSON: 'filings.recent' is not an object")
    if not cik:
        raise ValueError("submissions JSON names no CIK")
    company = Company(cik=cik, name=name, role=None)  # the JSON does not say: unknown
    found = tuple(_filings(columns, company, rebaser))
    return CompanySubmissions(cik, name, tickers, found, pages, pages_to)


def _cik(value: object) -> int:
    if not value:
        return 0
    try:
        if not isinstance(value, int | float | str):
            raise TypeError
        return int(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"submissions JSON: {str(value)[:40]!r} is not a CIK") from None


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _filings(columns: Mapping[str, Any], company: Company, rebaser: Rebaser) -> Iterator[Filing]:
    accessions = _list(columns.get("accessionNumber"))[:MAX_ROWS]
    for index, accession in enumerate(accessions):
        row = {key: _at(values, index) for key, values in columns.items()}
        try:
            yield _filing(row, accession, company, rebaser)
        except (ValueError, TypeError) as exc:
            logger.warning("skipping submissions row %s: %s", str(accession)[:30], exc)


def _at(values: Any, index: int) -> Any:
    return values[index] if isinstance(values, list) and index < len(values) else None


def _filing(row: dict[str, Any], accession: str, company: Company, rebaser: Rebaser) -> Filing:
    accession = normalise_accession(str(accession))
    items = tuple(n for n in (part.strip() for part in str(row.get("items") or "").split(",")) if n)
    return Filing(
        accession=accession,
        form=str(row.get("form") or ""),
        companies=(company,),
        url=rebaser.url(filing_index_path(company.cik, accession)),
        accepted_at=eastern_acceptance(row.get("acceptanceDateTime")),
        filed=date.fromisoformat(row["filingDate"]) if row.get("filingDate") else None,
        items=tuple(n for n in items if is_item_number(n)),
        size=int(row["size"]) if isinstance(row.get("size"), int) else None,
        primary_document=str(row.get("primaryDocument") or "") or None,
        period=_date(row.get("reportDate")),
        file_number=str(row.get("fileNumber") or "") or None,
    )


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def eastern_acceptance(value: object) -> datetime | None:
    """`2024-02-01T16:30:30.000Z` → 16:30:30 America/New_York (the `Z` is false)."""
    if not isinstance(value, str) or not value:
        return None
    naive = datetime.fromisoformat(value.rstrip("Zz").split("+")[0]).replace(tzinfo=None)
    return naive.replace(tzinfo=EASTERN)
