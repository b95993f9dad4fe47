"""The replay's company and daily indexes: data.sec.gov submissions JSON and the daily master index."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from edgarwatch.filing import EASTERN
from edgarwatch.replay.catalog import ReplayCompany, ReplayFiling
from edgarwatch.replay.render import film_number, submission_size

_COLUMNS = (
    "accessionNumber",
    "filingDate",
    "reportDate",
    "acceptanceDateTime",
    "act",
    "form",
    "fileNumber",
    "filmNumber",
    "items",
    "core_type",
    "size",
    "isXBRL",
    "isInlineXBRL",
    "primaryDocument",
    "primaryDocDescription",
)


def submissions_json(company: ReplayCompany, filings: Iterable[ReplayFiling]) -> bytes:
    rows = sorted(
        filings, key=lambda f: f.accepted_at or datetime.min.replace(tzinfo=EASTERN), reverse=True
    )
    columns: dict[str, list[Any]] = {c: [] for c in _COLUMNS}
    for filing in rows:
        _submission_row(columns, filing)
    document = {
        "cik": f"{company.cik:010d}",
        "entityType": "operating",
        "sic": company.sic,
        "sicDescription": company.sic_description,
        "name": company.name,
        "tickers": [company.ticker] if company.ticker else [],
        "exchanges": ["Nasdaq"] if company.ticker else [],
        "stateOfIncorporation": company.state,
        "fiscalYearEnd": company.fiscal_year_end,
        "filings": {"recent": columns, "files": []},
    }
    return json.dumps(document, separators=(",", ":")).encode()


def _submission_row(columns: dict[str, list[Any]], filing: ReplayFiling) -> None:
    assert filing.accepted_at is not None
    accepted = filing.accepted_at.astimezone(EASTERN)
    primary = filing.documents[0]
    values = {
        "accessionNumber": filing.accession,
        "filingDate": str(filing.filed),
        "reportDate": str(filing.period or filing.filed),
        # EDGAR writes Eastern local time with a (false) "Z": the corpus README.
        "acceptanceDateTime": f"{accepted:%Y-%m-%dT%H:%M:%S}.000Z",
        "act": "34",
        "form": filing.form,
        "fileNumber": filing.filer.file_number,
        "filmNumber": film_number(filing),
        "items": ",".join(filing.items),
        "core_type": filing.form,
        "size": submission_size(filing),
        "isXBRL": 0,
        "isInlineXBRL": 0,
        "primaryDocument": primary.filename,
        "primaryDocDescription": primary.description,
    }
    for key in _COLUMNS:
        columns[key].append(values[key])


def master_index(day: date, filings: Iterable[ReplayFiling]) -> bytes:
    lines = [
        "Description:           Daily Index of EDGAR Dissemination Feed",
        f"Last Data Received:    {day:%b %d, %Y}",
        "Comments:              webmaster@sec.gov",
        "Anonymous FTP:         ftp://ftp.sec.gov/edgar/",
        "",
        "CIK|Company Name|Form Type|Date Filed|File Name",
        "-" * 80,
    ]
    for filing in sorted(filings, key=lambda f: f.filer.cik):
        for company in filing.companies:
            lines.append(
                f"{company.cik}|{company.name}|{filing.form}|{day:%Y%m%d}|"
                f"edgar/data/{company.cik}/{filing.accession}.txt"
            )
    return ("\n".join(lines) + "\n").encode("latin-1", "replace")
