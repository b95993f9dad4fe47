"""EDGAR's master index files: what was filed on a day (or in a quarter).

`/Archives/edgar/daily-index/YYYY/QTRn/master.YYYYMMDD.idx` is built nightly
from about 22:00 ET; `full-index/YYYY/QTRn/master.idx` holds a quarter. Both
are a free-text preamble, a `CIK|Company Name|Form Type|Date Filed|File Name`
header, a line of dashes, then one pipe-delimited line per (filing, company).
The daily file writes dates `YYYYMMDD`, the quarterly one `YYYY-MM-DD`.

The catch-up tier reads these for days older than the Atom feed reaches; they
carry no items and no acceptance time, so each matching filing is then read
from its index page.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from edgarwatch.edgar.paths import Rebaser, filing_index_path
from edgarwatch.filing import Company, Filing, merge, normalise_accession

logger = logging.getLogger(__name__)

_ACCESSION_IN_PATH = re.compile(r"(\d{10}-\d{2}-\d{6})\.txt$")


@dataclass(frozen=True)
class IndexLine:
    cik: int
    name: str
    form: str
    filed: date
    accession: str


def parse_master_index(text: str) -> Iterator[IndexLine]:
    """Yield each line of a master index file after its header."""
    lines = iter(text.splitlines())
    for line in lines:
        if line.startswith("-----"):
            break
    for line in lines:
        parts = line.split("|")
        if len(parts) != 5:
            continue
        try:
            yield _line(parts)
        except ValueError as exc:
            logger.warning("skipping master index line %r: %s", line[:120], exc)


def _line(parts: list[str]) -> IndexLine:
    cik, name, form, filed, path = (p.strip() for p in parts)
    match = _ACCESSION_IN_PATH.search(path)
    if not match:
        raise ValueError("no accession in the file name")
    day = date.fromisoformat(filed)  # YYYYMMDD (daily) and YYYY-MM-DD (quarterly) alike
    return IndexLine(int(cik), name, form, day, normalise_accession(match.group(1)))


def filings_from_index(
    lines: Iterator[IndexLine], rebaser: Rebaser, form_prefix: str = "8-K"
) -> list[Filing]:
    """The filings of the given form family, one per accession, companies merged."""
    return merge(
        Filing(
            accession=line.accession,
            form=line.form,
            companies=(Company(line.cik, line.name, None),),  # the index names no role
            url=rebaser.url(filing_index_path(line.cik, line.accession)),
            filed=line.filed,
        )
        for line in lines
        if line.form.upper().startswith(form_prefix)
    )
