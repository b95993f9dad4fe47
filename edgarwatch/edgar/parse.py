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
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from edgarwatch.agreement import agreements_to_json
from edgarwatch.edgar.cover import cover_form, cover_registrant
from edgarwatch.edgar.document import PrimaryDocument, decode, document_lines, unwrap_document
from edgarwatch.edgar.headings import Numbering, numbering_for
from edgarwatch.edgar.index_page import (
    DEFAULT_BASE_URL,
    IndexPage,
    parse_index_page,
)
from edgarwatch.edgar.sections import Section, split_sections
from edgarwatch.edgar.submission import (
    MAX_PRIMARY_BYTES,
    DocumentEntry,
    Submission,
    SubmissionHeader,
    is_submission,
    read_submission,
)
from edgarwatch.filing import Company, Exhibit, Filing, FilingReport, Item, normalise_accession
from edgarwatch.items import normalise_number, sort_key, title_for

logger = logging.getLogger(__name__)


_ACCESSION_IN_NAME_RE = re.compile(r"(\d{10})-?(\d{2})-?(\d{6})")
_DEAL_ITEMS = frozenset({"1.01", "1.02", "2.01", "2.03"})  # edgar.agreements.DEAL_ITEMS


@dataclass(frozen=True)
class ParsedFiling:
    """What one 8-K file says: EDGAR's declared items with their text, and more."""

    form: str | None = None
    accession: str | None = None
    filed: date | None = None
    accepted_at: datetime | None = None
    companies: tuple[Company, ...] = ()
    items: tuple[Item, ...] = ()
    """The items the filing reports, ordered as on the form."""
    document_only_items: tuple[Item, ...] = ()
    """Headings in the document that EDGAR's declared list does not name."""
    exhibits: tuple[Exhibit, ...] = ()
    primary_document: str | None = None
    declared: tuple[str, ...] = ()
    """The merged declared item numbers this parse was decided by."""
    truncated: bool = False
    cover_registrant: str | None = None
    """The registrant's name as the document's cover prints it."""
    period: date | None = None
    """The period of report (SEC header or index page)."""
    file_number: str | None = None
    """The Filer's SEC file number (SEC header or index page)."""
    preamble: str = ""
    """The document's text before its first item (cover, explanatory note), at most
    PREAMBLE_CHARS: where an 8-K/A says what it amends."""

    def item(self, number: str) -> Item | None:
        return next((item for item in self.items if item.number == number), None)

    def report(self, filing: Filing) -> FilingReport:
        """What the notifiers render: this parse attached to the filing it belongs to."""
        return FilingReport(
            filing=filing,
            items=self.items,
            exhibits=self.exhibits,
            document_only_items=self.document_only_items,
            preamble=self.preamble,
        )


def merge_declared(*sources: Iterable[str] | str) -> tuple[str, ...]:
    """Merge item lists from several EDGAR sources: normalised, deduplicated, form order.

    A source may be a list of numbers (`["1.01", "Item 9.01"]`) or the
    submissions JSON's comma-separated string (`"1.01,9.01"`, legacy
    `"12,7"`). Anything that is not an item number is skipped.
    """
    numbers: set[str] = set()
    for source in sources:
        values = source.split(",") if isinstance(source, str) else source
        for value in values:
            try:
                numbers.add(normalise_number(value))
            except ValueError:
                if value.strip():
                    logger.debug("not an item number: %r", value)
    return tuple(sorted(numbers, key=sort_key))


def parse_document(
    data: bytes,
    *,
    declared: Sequence[str] = (),
    filed: date | None = None,
    archive_url: str | None = None,
) -> ParsedFiling:
    """Parse any shape of 8-K file held in memory (see the module docstring)."""
    return with_agreements(_document(data, declared, filed, archive_url))


def _document(
    data: bytes, declared: Sequence[str], filed: date | None, archive_url: str | None
) -> ParsedFiling:
    if is_submission(data):
        return _submission(read_submission(data), declared, filed, archive_url)
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
    return with_agreements(_submission(submission, declared, filed, archive_url))


def _submission(
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
    sections = split_sections(lines, _numbering(filed, merged), expected=merged)
    found = _document_items(sections)
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


def _numbering(filed: date | None, declared: Sequence[str]) -> Numbering | None:
    """The filing date decides; without it, EDGAR's declared numbers do."""
    if filed is not None or not declared:
        return numbering_for(filed)
    return "modern" if any("." in number for number in declared) else "legacy"


def _document_items(sections: list[Section]) -> dict[str, Item]:
    """Document headings → items, in document order; a repeated heading's text is joined."""
    found: dict[str, Item] = {}
    for section in sections:
        for number in section.numbers:
            title = title_for(number) or section.heading
            previous = found.get(number)
            text = section.text
            if previous is not None and previous.text and text:
                text = f"{previous.text}\n{text}"
            elif previous is not None:
                text = previous.text or text
            found[number] = Item(number=number, title=title, text=text)
    return found


def decide_items(
    found: dict[str, Item], declared: Sequence[str], blanks: int = 0
) -> tuple[tuple[Item, ...], tuple[Item, ...]]:
    """Rule 3: EDGAR's declared list decides which items; the document gives text.

    Returns (items, document_only_items). With nothing declared and no blank
    header lines, the document's headings are the items. `blanks` header
    lines with no title are filled, in document order, from headings the
    declared list does not name.
    """
    if not declared and not blanks:
        return _ordered(found.values()), ()
    extra = [number for number in found if number not in declared]
    fill, rest = extra[:blanks], extra[blanks:]
    items = [found.get(n) or Item(number=n, title=title_for(n), text="") for n in declared]
    items += [found[n] for n in fill]
    return _ordered(items), _ordered(found[n] for n in rest)


def _ordered(items: Iterable[Item]) -> tuple[Item, ...]:
    return tuple(sorted(items, key=lambda item: sort_key(item.number)))


# --- files ---------------------------------------------------------------------------


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
        parsed = _submission(document, merged, page.filed, archive_url)
    else:
        parsed = _document(document, merged, page.filed, archive_url)
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


def filing_json(path: Path, parsed: ParsedFiling) -> dict[str, Any]:
    """The `edgarwatch parse` JSON object (DESIGN.md's contract, extended)."""
    return {
        "file": str(path),
        "form": parsed.form,
        "accession": parsed.accession,
        "filed": parsed.filed.isoformat() if parsed.filed else None,
        "accepted_at": parsed.accepted_at.isoformat() if parsed.accepted_at else None,
        "companies": [{"cik": c.cik, "name": c.name, "role": c.role} for c in parsed.companies],
        "primary_document": parsed.primary_document,
        "items": [_item_json(item) for item in parsed.items],
        "document_only_items": [_item_json(item) for item in parsed.document_only_items],
        "exhibits": [_exhibit_json(exhibit) for exhibit in parsed.exhibits],
    }


def _item_json(item: Item) -> dict[str, Any]:
    return {
        "number": item.number,
        "title": item.title,
        "text": item.text or "",
        "agreements": agreements_to_json(item.agreements),
    }


def _exhibit_json(exhibit: Exhibit) -> dict[str, Any]:
    return {
        "type": exhibit.type,
        "document": exhibit.document,
        "description": exhibit.description,
        "url": exhibit.url,
        "material_contract": exhibit.is_material_contract,
        "press_release": exhibit.is_press_release,
    }
