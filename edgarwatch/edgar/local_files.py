"""`edgarwatch parse FILE…`: local files (primary documents or complete submissions), with EDGAR's index page beside them when there is one."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from edgarwatch.edgar.filing_json import filing_json
from edgarwatch.edgar.index_page import (
    DEFAULT_BASE_URL,
    IndexPage,
    parse_index_page,
)
from edgarwatch.edgar.parse import (
    from_bytes,
    from_submission,
    parse_document,
    parse_submission,
    with_agreements,
)
from edgarwatch.edgar.parsed import ParsedFiling, merge_declared
from edgarwatch.edgar.submission import MAX_PRIMARY_BYTES, Submission, is_submission
from edgarwatch.edgar.submission_reader import read_submission
from edgarwatch.filing import normalise_accession

_ACCESSION_IN_NAME_RE = re.compile(r"(\d{10})-?(\d{2})-?(\d{6})")


def parse_file(
    path: Path,
    index_page: Path | None = None,
    *,
    index_dir: Path | None = None,
    base_url: str = DEFAULT_BASE_URL,
) -> dict[str, Any]:
    """Parse one local file into the JSON object `edgarwatch parse` prints.

    `index_page` (or a `{accession}-index.htm(l)` found in `index_dir`) adds
    EDGAR's declared items, the filing date and the exhibits' URLs. Complete
    submissions are streamed: only the header and the primary document are
    held in memory.
    """
    with path.open("rb") as stream:
        start = stream.read(256)
        stream.seek(0)
        submission = read_submission(stream) if is_submission(start) else None
        data = b"" if submission is not None else stream.read(MAX_PRIMARY_BYTES)
    accession = submission.header.accession if submission else accession_in_name(path)
    if index_page is None and index_dir is not None and accession:
        index_page = find_index_page(index_dir, accession)
    page = parse_index_page(index_page.read_bytes(), base_url) if index_page else None
    parsed = _parse_with_page(submission, data, page, accession, base_url)
    return filing_json(path, parsed)


def _parse_with_page(
    submission: Submission | None,
    data: bytes,
    page: IndexPage | None,
    accession: str | None,
    base_url: str,
) -> ParsedFiling:
    archive_url = _archive_url(submission, page, accession, base_url)
    if page is not None:
        return parse_with_index_page(submission or data, page, archive_url=archive_url)
    if submission is not None:
        return parse_submission(submission, archive_url=archive_url)
    parsed = parse_document(data, archive_url=archive_url)
    return parsed if parsed.accession else replace(parsed, accession=accession)


def parse_with_index_page(
    document: bytes | Submission,
    page: IndexPage,
    *,
    declared: Sequence[str] = (),
    archive_url: str | None = None,
) -> ParsedFiling:
    """The pipeline's call: a filing's primary document (or complete submission)
    read together with its index page.

    The page's Items block joins `declared` (feed summary, submissions JSON);
    its filing date picks the numbering; its document table, with URLs on the
    configured host, gives the exhibits; its company blocks the companies.
    """
    merged = merge_declared(declared, page.items)
    if isinstance(document, Submission):
        parsed = from_submission(document, merged, page.filed, archive_url)
    else:
        parsed = from_bytes(document, merged, page.filed, archive_url)
    primary = page.primary_document.document if page.primary_document else None
    return with_agreements(
        replace(
            parsed,
            form=page.form or parsed.form,
            accession=page.accession or parsed.accession,
            accepted_at=page.accepted_at or parsed.accepted_at,
            companies=page.companies or parsed.companies,
            exhibits=page.exhibits,
            primary_document=parsed.primary_document or primary,
            period=page.period or parsed.period,
            file_number=page.file_number or parsed.file_number,
        )
    )


def _archive_url(
    submission: Submission | None, page: IndexPage | None, accession: str | None, base_url: str
) -> str | None:
    """`{base}/Archives/edgar/data/{cik}/{accession-no-dashes}/` when the CIK is known."""
    companies = submission.header.companies if submission else ()
    if page is not None and page.companies:
        companies = page.companies
    if not companies or not accession:
        return None
    folder = accession.replace("-", "")
    return f"{base_url.rstrip('/')}/Archives/edgar/data/{companies[0].cik}/{folder}/"


def accession_in_name(path: Path) -> str | None:
    """EDGAR names files and folders by accession (`0001104659-07-035757.txt`,
    `000110465907035757/`); a local copy often keeps it."""
    for part in (path.name, path.parent.name):
        match = _ACCESSION_IN_NAME_RE.search(part)
        if match:
            return normalise_accession("".join(match.groups()))
    return None


def find_index_page(index_dir: Path, accession: str) -> Path | None:
    for suffix in ("-index.htm", "-index.html"):
        candidate = index_dir / f"{accession}{suffix}"
        if candidate.is_file():
            return candidate
    return None
