"""One 8-K, whatever shape it comes in → its items, their text, its exhibits.

`parse_document` accepts every shape EDGAR serves an 8-K in: the primary
document (HTML, inline XBRL or plain text), the same wrapped in its SGML
`<DOCUMENT>` block, a complete submission (`{accession}.txt`, PEM-wrapped or
not) and a dissemination-feed `.nc` file.

Which items a filing reports is EDGAR's call, not the document's (EDGAR.md:
"The filer-declared list … is authoritative for *which* items a filing
reports; the document is where their *text* is"). So:

* the declared list is merged from every source given (the caller's
  `declared` — feed summary, submissions JSON, index page — and the SEC
  header's own `ITEM INFORMATION` / `<ITEMS>` lines);
* a declared item takes its text from the document's heading for it, or
  gets its official title and empty text when the document has none (an
  8-K's Item 9.01 is often just an exhibit list under no heading);
* a heading the declared list does not name is kept apart in
  `document_only_items` (the corpus has real ones: Cotelligent 1996 declares
  legacy Item 1 but its body is headed "ITEM 5 -- OTHER EVENTS");
* when nothing is declared anywhere (a bare primary document), the
  document's headings are the items;
* when the SEC header had blank `ITEM INFORMATION:` lines (1998–2004) and
  nothing else was declared, the blanks are filled from the document's
  headings: that is how Sears and Apple 2004 get their Item 12.

What it yields is `edgarwatch.edgar.parsed.ParsedFiling`; the items are
decided in `item_decision.py`; local files and their index pages are read by
`local_files.py` and written out as the `parse` JSON by `filing_json.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from edgarwatch.edgar.cover import cover_form, cover_registrant
from edgarwatch.edgar.document import PrimaryDocument, decode, document_lines, unwrap_document
from edgarwatch.edgar.item_decision import decide_items, document_items, numbering_of
from edgarwatch.edgar.parsed import ParsedFiling, merge_declared
from edgarwatch.edgar.sections import Section, split_sections
from edgarwatch.edgar.submission import (
    MAX_PRIMARY_BYTES,
    DocumentEntry,
    Submission,
    SubmissionHeader,
    is_submission,
)
from edgarwatch.edgar.submission_reader import read_submission
from edgarwatch.filing import Exhibit, Item

logger = logging.getLogger(__name__)


_DEAL_ITEMS = frozenset({"1.01", "1.02", "2.01", "2.03"})  # edgar.agreements.DEAL_ITEMS


def parse_document(
    data: bytes,
    *,
    declared: Sequence[str] = (),
    filed: date | None = None,
    archive_url: str | None = None,
) -> ParsedFiling:
    """Parse any shape of 8-K file held in memory (see the module docstring)."""
    return with_agreements(from_bytes(data, declared, filed, archive_url))


def from_bytes(
    data: bytes, declared: Sequence[str], filed: date | None, archive_url: str | None
) -> ParsedFiling:
    if is_submission(data):
        return from_submission(read_submission(data), declared, filed, archive_url)
    document = unwrap_document(decode(data[:MAX_PRIMARY_BYTES]))
    return _assemble(
        document,
        header=SubmissionHeader(),
        declared=declared,
        filed=filed,
        exhibits=(),
    )


def parse_submission(
    submission: Submission,
    *,
    declared: Sequence[str] = (),
    filed: date | None = None,
    archive_url: str | None = None,
) -> ParsedFiling:
    """A complete submission: header, primary document, exhibits from its documents."""
    return with_agreements(from_submission(submission, declared, filed, archive_url))


def from_submission(
    submission: Submission,
    declared: Sequence[str],
    filed: date | None,
    archive_url: str | None,
) -> ParsedFiling:
    document = unwrap_document(decode(submission.primary_text))
    if submission.primary is not None:
        document = PrimaryDocument(
            text=document.text,
            type=submission.primary.type,
            filename=submission.primary.filename,
            description=submission.primary.description,
        )
    exhibits = tuple(
        _exhibit(entry, archive_url)
        for entry in submission.documents
        if entry is not submission.primary
    )
    parsed = _assemble(
        document, header=submission.header, declared=declared, filed=filed, exhibits=exhibits
    )
    if submission.truncated:
        logger.warning("primary document of %s cut at the size limit", parsed.accession)
    return replace(parsed, truncated=submission.truncated)


def _exhibit(entry: DocumentEntry, archive_url: str | None) -> Exhibit:
    url = ""
    if archive_url and entry.filename:
        url = archive_url.rstrip("/") + "/" + entry.filename
    return Exhibit(
        type=entry.type,
        document=entry.filename or "",
        url=url,
        description=entry.description,
        sequence=entry.sequence,
    )


def _assemble(
    document: PrimaryDocument,
    *,
    header: SubmissionHeader,
    declared: Sequence[str],
    filed: date | None,
    exhibits: tuple[Exhibit, ...],
) -> ParsedFiling:
    filed = filed or header.filed
    merged = merge_declared(declared, header.items)
    lines = document_lines(document)
    sections = split_sections(lines, numbering_of(filed, merged), expected=merged)
    found = document_items(sections)
    blanks = header.unresolved_items if not declared else 0
    items, document_only = decide_items(found, merged, blanks)
    return ParsedFiling(
        form=header.form or document.type or cover_form(lines),
        accession=header.accession,
        filed=filed,
        accepted_at=header.accepted_at,
        companies=header.companies,
        items=items,
        document_only_items=document_only,
        exhibits=exhibits,
        primary_document=document.filename,
        declared=merged,
        cover_registrant=cover_registrant(lines),
        period=header.period,
        file_number=header.file_number,
        preamble=_preamble(lines, sections),
    )


PREAMBLE_CHARS = 6000
"""The cover of an 8-K is about 1,500 characters; an explanatory note a few hundred."""


def _preamble(lines: Sequence[str], sections: Sequence[Section]) -> str:
    """The text before the first item heading (its last PREAMBLE_CHARS characters)."""
    first = min((section.line for section in sections), default=len(lines))
    text = "\n".join(line for line in lines[:first] if line.strip())
    return text[-PREAMBLE_CHARS:]


def with_agreements(parsed: ParsedFiling) -> ParsedFiling:
    """Each deal item (1.01, 1.02, 2.01, 2.03) with the agreements its text describes.

    The registrant is the filing's Filer (SEC header or index page), else the
    name on the document's cover.
    """
    if not any(
        i.number in _DEAL_ITEMS and i.text for i in parsed.items + parsed.document_only_items
    ):
        return parsed
    # Imported here: its regular expressions are compiled only by runs that meet a deal.
    from edgarwatch.edgar.agreements import DEAL_ITEMS, extract_agreements

    registrant = _registrant_name(parsed)

    def read(items: tuple[Item, ...]) -> tuple[Item, ...]:
        return tuple(
            replace(
                item,
                agreements=extract_agreements(
                    item.number, item.text, registrant=registrant, exhibits=parsed.exhibits
                ),
            )
            if item.number in DEAL_ITEMS
            else item
            for item in items
        )

    return replace(
        parsed, items=read(parsed.items), document_only_items=read(parsed.document_only_items)
    )


def _registrant_name(parsed: ParsedFiling) -> str | None:
    filers = [c for c in parsed.companies if c.is_filer]
    companies = filers or list(parsed.companies)
    return companies[0].name if companies else parsed.cover_registrant
