"""Fetch what a filing's items, texts and exhibits need, as cheaply as EDGAR allows.

* Small filings (the feed says how big): the complete submission `.txt` in
  one request — it holds the SEC header (items, companies, acceptance time)
  and every document with its type and description.
* Otherwise, or when the size is unknown: the filing index page (items,
  "Accepted", the document table with every exhibit) and then the primary
  document: two requests, whatever the size of the exhibits.
"""

from __future__ import annotations

from edgarwatch.edgar.client import EdgarClient
from edgarwatch.edgar.index_page import parse_index_page
from edgarwatch.edgar.parse import ParsedFiling, parse_document, parse_with_index_page
from edgarwatch.edgar.paths import complete_submission_path, filing_index_path, folder_path
from edgarwatch.filing import Enrichment, Filing

COMPLETE_SUBMISSION_MAX_BYTES = 1_000_000


def read_filing(client: EdgarClient, filing: Filing) -> Enrichment:
    """Fetch and parse a filing's documents; raises EdgarError or ValueError."""
    if filing.size is not None and filing.size <= COMPLETE_SUBMISSION_MAX_BYTES:
        return _from_complete_submission(client, filing)
    return _from_index_page(client, filing)


def _from_complete_submission(client: EdgarClient, filing: Filing) -> Enrichment:
    response = client.get(complete_submission_path(filing.cik, filing.accession))
    parsed = parse_document(
        response.content,
        declared=filing.items,
        filed=filing.filed,
        archive_url=client.rebaser.url(folder_path(filing.cik, filing.accession)),
    )
    return _enrichment(parsed)


def _from_index_page(client: EdgarClient, filing: Filing) -> Enrichment:
    index_url = filing.url or filing_index_path(filing.cik, filing.accession)
    page = parse_index_page(client.get(index_url).content, client.rebaser.base_url)
    if page.primary_document is None:
        raise ValueError(f"the index page of {filing.accession} lists no primary document")
    document = client.get(page.primary_document.url)
    parsed = parse_with_index_page(document.content, page, declared=filing.items)
    return _enrichment(parsed)


def _enrichment(parsed: ParsedFiling) -> Enrichment:
    return Enrichment(
        items=parsed.items,
        undeclared_items=parsed.document_only_items,
        exhibits=parsed.exhibits,
        companies=parsed.companies,
        accepted_at=parsed.accepted_at,
        primary_document=parsed.primary_document,
    )
