"""The filing index page (`/Archives/edgar/data/{cik}/{acc}/{acc}-index.htm`).

It is EDGAR's own summary of a filing: form, filing date, the "Accepted"
time (Eastern, no zone marker), period of report, the **Items** block (one
`Item 2.02: Results of Operations…` line per declared item, legacy numbers
such as `Item 12:` kept as they are), the document tables (Seq, Description,
Document, Type, Size) and one block per company with its role and CIK.

Links are re-based onto the configured host (`base_url`): the daemon never
follows a host it was not configured with. Inline-XBRL documents are linked
through the viewer (`/ix?doc=/Archives/…`); the plain Archives path is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import parse_qs, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from edgarwatch.edgar.nesting import defuse_html
from edgarwatch.filing import EASTERN, Company, Exhibit, normalise_accession
from edgarwatch.items import normalise_number, number_for_title

DEFAULT_BASE_URL = "https://www.sec.gov"
MAX_INDEX_PAGE_CHARS = 4_000_000
"""Index pages are ~10 KB; one listing thousands of documents stays far below."""

_ACCESSION_RE = re.compile(r"\d{10}-\d{2}-\d{6}")
_ITEM_LINE_RE = re.compile(r"^item\s*(\d{1,2}(?:\.\d{1,2})?)?\s*[:.\-–—]?\s*(.*)$", re.IGNORECASE)
_COMPANY_RE = re.compile(r"^(?P<name>.*?)\s*\((?P<role>[^()]*)\)\s*CIK\b\W*(?P<cik>\d{1,10})", re.S)
_COMPLETE_SUBMISSION = "complete submission text file"
_FILE_NUMBER_RE = re.compile(r"File No\.:?\s*(\d{3}-\d{1,8})")
_MAX_COMPANY_CHARS = 400


@dataclass(frozen=True)
class IndexPage:
    """What a filing index page says."""

    form: str | None = None
    accession: str | None = None
    filed: date | None = None
    accepted_at: datetime | None = None
    period: date | None = None
    items: tuple[str, ...] = ()
    documents: tuple[Exhibit, ...] = ()
    """Every document of the filing, primary document first as listed."""
    primary_document: Exhibit | None = None
    complete_submission_url: str | None = None
    companies: tuple[Company, ...] = ()
    file_number: str | None = None
    """The first company block's `File No.` (the Filer's, listed first)."""

    @property
    def exhibits(self) -> tuple[Exhibit, ...]:
        """The documents other than the primary one (EX-10.x, EX-99.x, XBRL, graphics)."""
        return tuple(d for d in self.documents if d is not self.primary_document)


def parse_index_page(html: str | bytes, base_url: str = DEFAULT_BASE_URL) -> IndexPage:
    """Parse an `-index.htm` page; every URL comes back on `base_url`."""
    if isinstance(html, bytes):
        html = html[:MAX_INDEX_PAGE_CHARS].decode("utf-8", errors="replace")
    tree = LexborHTMLParser(defuse_html(html[:MAX_INDEX_PAGE_CHARS]))
    info = _info_fields(tree)
    filed = _iso_date(info.get("filing date"))
    form = _form(tree)
    documents, complete_url = _documents(tree, base_url)
    return IndexPage(
        form=form,
        accession=_accession(tree),
        filed=filed,
        accepted_at=_accepted(info.get("accepted")),
        period=_iso_date(info.get("period of report")),
        items=_items(tree, filed),
        documents=documents,
        primary_document=_primary(documents, form),
        complete_submission_url=complete_url,
        companies=_companies(tree),
        file_number=_file_number(tree),
    )


def _text(node: LexborNode | None) -> str:
    return " ".join(node.text(separator=" ").split()) if node is not None else ""


def _info_fields(tree: LexborHTMLParser) -> dict[str, str]:
    """The `infoHead` / `info` pairs of the form header ("Filing Date" → "2022-04-28")."""
    fields: dict[str, str] = {}
    for head in tree.css("div.infoHead"):
        value = head.next
        while value is not None and value.tag != "div":
            value = value.next
        fields.setdefault(_text(head).lower(), _text(value))
    return fields


def _form(tree: LexborHTMLParser) -> str | None:
    strong = tree.css_first("#formName strong")
    text = _text(strong)
    return text.removeprefix("Form ").strip() or None


def _accession(tree: LexborHTMLParser) -> str | None:
    match = _ACCESSION_RE.search(_text(tree.css_first("#secNum")))
    return normalise_accession(match.group(0)) if match else None


def _iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _accepted(value: str | None) -> datetime | None:
    """The "Accepted" time (`2022-04-28 06:32:03`) is Eastern local time."""
    if not value:
        return None
    try:
        return datetime.strptime(value[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=EASTERN)
    except ValueError:
        return None


def _items(tree: LexborHTMLParser, filed: date | None) -> tuple[str, ...]:
    """The Items block: `Item 2.02: Title<br />…`; a line without a number is mapped by title."""
    for head in tree.css("div.infoHead"):
        if _text(head).lower() != "items":
            continue
        value = head.next
        while value is not None and value.tag != "div":
            value = value.next
        if value is None:
            return ()
        return _item_numbers(value, filed)
    return ()


def _item_numbers(block: LexborNode, filed: date | None) -> tuple[str, ...]:
    for br in block.css("br"):
        br.insert_after("\n")
    numbers: list[str] = []
    for line in block.text(separator="").split("\n"):
        number = _item_number(" ".join(line.split()), filed)
        if number and number not in numbers:
            numbers.append(number)
    return tuple(numbers)


def _item_number(line: str, filed: date | None) -> str | None:
    match = _ITEM_LINE_RE.match(line)
    if match is None:
        return number_for_title(line, filed) if line else None
    if match.group(1):
        try:
            return normalise_number(match.group(1))
        except ValueError:
            return None
    return number_for_title(match.group(2), filed)


def _documents(tree: LexborHTMLParser, base_url: str) -> tuple[tuple[Exhibit, ...], str | None]:
    documents: list[Exhibit] = []
    complete_url: str | None = None
    for table in tree.css("table.tableFile"):
        columns = [_text(th).lower() for th in table.css("th")]
        for row in table.css("tr"):
            cells = row.css("td")
            if len(cells) < len(columns) or not cells:
                continue
            exhibit = _document_row(dict(zip(columns, cells, strict=False)), base_url)
            if exhibit is None:
                continue
            if exhibit.description.lower() == _COMPLETE_SUBMISSION and not exhibit.type:
                complete_url = exhibit.url
            else:
                documents.append(exhibit)
    if complete_url:
        documents = [d if d.document else _with_url(d, complete_url) for d in documents]
    return tuple(documents), complete_url


def _document_row(cells: dict[str, LexborNode], base_url: str) -> Exhibit | None:
    link = cells["document"].css_first("a") if "document" in cells else None
    href = link.attributes.get("href") if link is not None else None
    if not href:
        return None
    sequence = _text(cells.get("seq"))
    size = _text(cells.get("size"))
    return Exhibit(
        type=_text(cells.get("type")),
        document=_text(link),
        url=rebase_url(href, base_url),
        description=_text(cells.get("description")),
        sequence=int(sequence) if sequence.isdigit() else None,
        size=int(size) if size.isdigit() else None,
    )


def _with_url(document: Exhibit, url: str) -> Exhibit:
    """Pre-2001 filings list documents without a file: their text is in the .txt."""
    return Exhibit(
        type=document.type,
        document=document.document,
        url=url,
        description=document.description,
        sequence=document.sequence,
        size=document.size,
    )


def rebase_url(href: str, base_url: str) -> str:
    """Put `href`'s path on `base_url`; `/ix?doc=/Archives/…` becomes `/Archives/…`."""
    parts = urlsplit(urljoin(base_url.rstrip("/") + "/", href.strip()))
    path = parts.path
    if path.rstrip("/").endswith("/ix"):
        doc = parse_qs(parts.query).get("doc")
        if doc and doc[0].startswith("/"):
            path = urlsplit(doc[0]).path
    return base_url.rstrip("/") + path


def _primary(documents: tuple[Exhibit, ...], form: str | None) -> Exhibit | None:
    """The document whose type is the form (8-K, 8-K/A), else the first listed."""
    wanted = {(form or "").upper(), "8-K", "8-K/A"}
    for document in documents:
        if document.type.upper() in wanted:
            return document
    return documents[0] if documents else None


def _companies(tree: LexborHTMLParser) -> tuple[Company, ...]:
    """`CATERPILLAR INC (Filer) CIK: 0000018230 (see all company filings)`."""
    companies: list[Company] = []
    for node in tree.css("span.companyName"):
        match = _COMPANY_RE.match(_text(node)[:_MAX_COMPANY_CHARS])
        if match:
            role = match.group("role").strip() or "Filer"
            company = Company(cik=int(match.group("cik")), name=match.group("name"), role=role)
            if company not in companies:
                companies.append(company)
    return tuple(companies)


def _file_number(tree: LexborHTMLParser) -> str | None:
    """`File No.: 001-15059` of the first company block."""
    for node in tree.css("p.identInfo"):
        match = _FILE_NUMBER_RE.search(_text(node))
        if match:
            return match.group(1)
    return None
