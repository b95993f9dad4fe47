"""Complete submission text files (`{accession}.txt`) and their SEC headers.

A complete submission is the SEC header followed by every document of the
filing, each in `<DOCUMENT><TYPE>…<SEQUENCE>…<FILENAME>…<DESCRIPTION>…<TEXT>
… </TEXT></DOCUMENT>`. Pre-2009 ones are wrapped in a PEM envelope
(`-----BEGIN PRIVACY-ENHANCED MESSAGE-----`, RFC 1421 headers, a blank line);
the daily dissemination feed (`.nc`) uses a tag-style `<SUBMISSION>` header
and, in the files edgartools keeps, bare-CR line endings.

The header comes in two styles, both handled by `parse_header`:

* tab style (`{accession}.txt`): `ACCESSION NUMBER:\t\t…`, `CONFORMED
  SUBMISSION TYPE:`, `FILED AS OF DATE:`, one `ITEM INFORMATION:` line per
  item carrying its *title* (blank in many 1998–2004 filings, a bare number
  in 1994 ones), and `FILER:` / `SUBJECT COMPANY:` / … blocks;
* tag style (`.hdr.sgml`, the comment in `-index-headers.html`, `.nc`):
  `<ACCESSION-NUMBER>`, `<TYPE>`, repeated `<ITEMS>7.01` (numbers),
  `<FILER><COMPANY-DATA><CONFORMED-NAME>…<CIK>…`.

`ACCEPTANCE-DATETIME` is Eastern local time without a zone marker (compare the
same filing's index page "Accepted" and the submissions JSON).

A submission can be tens of MB (uuencoded PDFs and images, XBRL). Reading is
streamed: the header and the primary document are kept (each up to a cap),
and of the other documents only their `<DOCUMENT>` head is read.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO

from edgarwatch.filing import EASTERN, Company, normalise_accession
from edgarwatch.items import normalise_number, number_for_title

logger = logging.getLogger(__name__)

MAX_HEADER_BYTES = 4 * 1024 * 1024
"""SEC headers of 8-Ks are a few KB; asset-backed ones with hundreds of
subject companies stay well under this."""

MAX_HEADER_LINES = 100_000
"""Header lines read: 8-K headers have a few dozen to a few hundred; one naming
a thousand subject companies has some 30,000."""

MAX_PRIMARY_BYTES = 16 * 1024 * 1024
MAX_DOCUMENTS = 5_000
"""Documents listed per submission; real ones have at most a few hundred."""
MAX_DOCUMENT_HEAD_BYTES = 64 * 1024
CHUNK_BYTES = 1024 * 1024

PEM_BEGIN = "-----BEGIN PRIVACY-ENHANCED MESSAGE-----"

_SUBMISSION_STARTS = (
    b"-----BEGIN PRIVACY-ENHANCED MESSAGE-----",
    b"<SEC-DOCUMENT>",
    b"<SEC-HEADER>",
    b"<IMS-DOCUMENT>",
    b"<IMS-HEADER>",
    b"<SUBMISSION>",
)

_ROLES = {
    "FILER": "Filer",
    "SUBJECT COMPANY": "Subject",
    "SUBJECT-COMPANY": "Subject",
    "FILED BY": "Filed by",
    "FILED-BY": "Filed by",
    "REPORTING-OWNER": "Reporting",
    "REPORTING OWNER": "Reporting",
    "ISSUER": "Issuer",
}

_TAG_LINE_RE = re.compile(r"^<(/?)([A-Z][A-Z0-9-]*)>(.*)$")
_KEY_LINE_RE = re.compile(r"^(\s*)([A-Z][A-Z0-9 &'/()-]*?):\s*(.*)$")
_HEAD_TAG_RE = re.compile(rb"<(TYPE|SEQUENCE|FILENAME|DESCRIPTION)>([^\r\n<]*)")


@dataclass(frozen=True)
class SubmissionHeader:
    """What the SEC header says about a filing."""

    accession: str | None = None
    form: str | None = None
    filed: date | None = None
    accepted_at: datetime | None = None
    period: date | None = None
    items: tuple[str, ...] = ()
    """Declared item numbers, in header order (legacy numbers stay legacy)."""
    unresolved_items: int = 0
    """`ITEM INFORMATION:` lines that name no item (blank, or a title we cannot
    map): the declared list is that much short (Sears and Apple 2004 have a
    blank line for their Item 12)."""
    companies: tuple[Company, ...] = ()
    document_count: int | None = None
    file_number: str | None = None
    """The Filer's `SEC FILE NUMBER`."""


@dataclass(frozen=True)
class DocumentEntry:
    """One `<DOCUMENT>` of a submission, as its head describes it."""

    type: str
    sequence: int | None = None
    filename: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Submission:
    """A complete submission: its header, every document's head, the primary text."""

    header: SubmissionHeader
    documents: tuple[DocumentEntry, ...]
    primary: DocumentEntry | None = None
    primary_text: bytes = b""
    """The primary document between `<TEXT>` and `</TEXT>` (cut at MAX_PRIMARY_BYTES)."""
    truncated: bool = False


def is_submission(data: bytes) -> bool:
    """Does `data` start like a complete submission (PEM, SEC header, feed `.nc`)?"""
    return data[:200].lstrip().startswith(_SUBMISSION_STARTS)


def normalise_newlines(text: str) -> str:
    """Dissemination `.nc` files end lines with a bare CR."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def strip_pem(text: str) -> str:
    """Drop the RFC 1421 envelope: the BEGIN line, its headers, the blank line."""
    start = text.find(PEM_BEGIN, 0, 1000)
    if start < 0:
        return text
    blank = text.find("\n\n", start)
    return text[blank + 2 :] if blank >= 0 else ""


# --- header ------------------------------------------------------------------------


def parse_header(text: str | bytes) -> SubmissionHeader:
    """Parse an SEC header in either style, from any text that contains one.

    Accepts a complete submission's start, a `.hdr.sgml` file, an
    `-index-headers.html` page (its HTML comment holds the tag-style header)
    or a dissemination `<SUBMISSION>` header.
    """
    if isinstance(text, bytes):
        text = text[:MAX_HEADER_BYTES].decode("latin-1")
    text = strip_pem(normalise_newlines(text[:MAX_HEADER_BYTES]))
    start = text.find("<SEC-HEADER>")
    if start < 0:
        start = text.find("<IMS-HEADER>")
    end = text.find("<DOCUMENT>", max(start, 0))
    return _HeaderParser().parse(text[max(start, 0) : end if end >= 0 else len(text)])


class _HeaderParser:
    """One pass over the header lines, both styles at once."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.item_values: list[str] = []
        self.companies: list[Company] = []
        self.role: str | None = None
        self.name = ""
        self.cik: int | None = None
        self.file_number: str | None = None

    def parse(self, text: str) -> SubmissionHeader:
        for line in text.split("\n", MAX_HEADER_LINES)[:MAX_HEADER_LINES]:
            if not line:
                continue
            if line.startswith("</SEC-HEADER") or line.startswith("</IMS-HEADER"):
                break
            tag = _TAG_LINE_RE.match(line)
            if tag:
                self._tag(tag.group(1) == "/", tag.group(2), tag.group(3).strip())
                continue
            key = _KEY_LINE_RE.match(line)
            if key:
                self._key(bool(key.group(1)), key.group(2).strip(), key.group(3).strip())
        self._end_company()
        return self._header()

    def _tag(self, closing: bool, name: str, value: str) -> None:
        if name in _ROLES:
            self._end_company()
            if not closing:
                self.role = _ROLES[name]
        elif closing:
            return
        elif self.role is not None:
            self._company_field(name.replace("-", " "), value)
        elif name == "ITEMS":
            self.item_values.append(value)
        else:
            self.fields.setdefault(name.replace("-", " "), value)

    def _key(self, indented: bool, name: str, value: str) -> None:
        if not indented:
            self._end_company()
            if name in _ROLES:
                self.role = _ROLES[name]
                return
        if self.role is not None:
            self._company_field(name, value)
        elif name == "ITEM INFORMATION":
            self.item_values.append(value)
        elif not indented:
            self.fields.setdefault(name, value)

    def _company_field(self, name: str, value: str) -> None:
        if name in ("COMPANY CONFORMED NAME", "CONFORMED NAME") and not self.name:
            self.name = value
        elif name in ("CENTRAL INDEX KEY", "CIK") and self.cik is None and value.isdigit():
            self.cik = int(value)
        elif name in ("SEC FILE NUMBER", "FILE NUMBER") and self.role == "Filer" and value:
            self.file_number = self.file_number or value

    def _end_company(self) -> None:
        if self.role is not None and self.cik is not None:
            self.companies.append(Company(cik=self.cik, name=self.name, role=self.role))
        self.role, self.name, self.cik = None, "", None

    def _header(self) -> SubmissionHeader:
        fields = self.fields
        filed = _date(fields.get("FILED AS OF DATE") or fields.get("FILING DATE"))
        items, unresolved = _declared_items(self.item_values, filed)
        count = fields.get("PUBLIC DOCUMENT COUNT", "")
        return SubmissionHeader(
            accession=_accession(fields.get("ACCESSION NUMBER")),
            form=fields.get("CONFORMED SUBMISSION TYPE") or fields.get("TYPE") or None,
            filed=filed,
            accepted_at=parse_acceptance(fields.get("ACCEPTANCE DATETIME")),
            period=_date(fields.get("CONFORMED PERIOD OF REPORT") or fields.get("PERIOD")),
            items=items,
            unresolved_items=unresolved,
            companies=_unique(self.companies),
            document_count=int(count) if count.isdigit() else None,
            file_number=self.file_number,
        )


def _declared_items(values: list[str], filed: date | None) -> tuple[tuple[str, ...], int]:
    """`ITEM INFORMATION:` titles (or numbers) → item numbers, plus how many said nothing."""
    items: list[str] = []
    unresolved = 0
    for value in values:
        numbers = _item_value_numbers(value, filed)
        if not numbers:
            unresolved += 1
            if value:
                logger.debug("SEC header item title not recognised: %r", value)
        items.extend(n for n in numbers if n not in items)
    return tuple(items), unresolved


_NUMERIC_ITEMS_RE = re.compile(r"^\d{1,2}(?:\.\d{2})?(?:\s*,\s*\d{1,2}(?:\.\d{2})?)*$")


def _item_value_numbers(value: str, filed: date | None) -> list[str]:
    if not value:
        return []
    if _NUMERIC_ITEMS_RE.match(value):
        return [normalise_number(part) for part in value.split(",")]
    number = number_for_title(value, filed)
    return [number] if number else []


def _unique(companies: list[Company]) -> tuple[Company, ...]:
    seen: set[tuple[int, str | None]] = set()
    unique: list[Company] = []
    for company in companies:
        if (company.cik, company.role) not in seen:
            seen.add((company.cik, company.role))
            unique.append(company)
    return tuple(unique)


def _accession(value: str | None) -> str | None:
    try:
        return normalise_accession(value) if value else None
    except ValueError:
        return None


def _date(value: str | None) -> date | None:
    if not value or len(value) < 8 or not value[:8].isdigit():
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return None


def parse_acceptance(value: str | None) -> datetime | None:
    """`20240201163030` (Eastern, no zone marker) → an aware datetime."""
    if not value or len(value) < 14 or not value[:14].isdigit():
        return None
    try:
        return datetime.strptime(value[:14], "%Y%m%d%H%M%S").replace(tzinfo=EASTERN)
    except ValueError:
        return None


# --- documents -------------------------------------------------------------------------


def read_submission(
    source: bytes | BinaryIO, *, primary_limit: int = MAX_PRIMARY_BYTES
) -> Submission:
    """Split a complete submission into header, document heads and primary text.

    The primary document is the first one whose type is the submission's
    form (8-K, 8-K/A), else the first one. Memory stays bounded by the caps,
    whatever the size of the other documents.
    """
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    scanner = _Scanner(stream)
    header_end = scanner.find(b"<DOCUMENT>", MAX_HEADER_BYTES)
    header = parse_header(bytes(scanner.buffer[: header_end if header_end >= 0 else None]))
    documents: list[DocumentEntry] = []
    primary: DocumentEntry | None = None
    primary_text, truncated = b"", False
    while len(documents) < MAX_DOCUMENTS and scanner.skip_to(b"<DOCUMENT>"):
        entry, has_text = _read_document_head(scanner)
        documents.append(entry)
        if has_text and _better_primary(entry, primary, header.form):
            primary = entry
            primary_text, truncated = scanner.take_text(primary_limit)
    return Submission(header, tuple(documents), primary, primary_text, truncated)


def _read_document_head(scanner: _Scanner) -> tuple[DocumentEntry, bool]:
    """The head between `<DOCUMENT>` and `<TEXT>`; True when a `<TEXT>` follows."""
    head_end = scanner.find(b"<TEXT>", MAX_DOCUMENT_HEAD_BYTES)
    if head_end < 0:
        return _document_entry(bytes(scanner.buffer[:MAX_DOCUMENT_HEAD_BYTES])), False
    entry = _document_entry(bytes(scanner.buffer[:head_end]))
    scanner.consume(head_end + len(b"<TEXT>"))
    return entry, True


def _better_primary(entry: DocumentEntry, primary: DocumentEntry | None, form: str | None) -> bool:
    """The first document, unless a later one has the submission's own type."""
    if primary is None:
        return True
    wanted = (form or "").upper()
    return bool(wanted) and primary.type.upper() != wanted and entry.type.upper() == wanted


def _document_entry(head: bytes) -> DocumentEntry:
    fields = {
        name.decode(): value.decode("latin-1").strip() for name, value in _HEAD_TAG_RE.findall(head)
    }
    sequence = fields.get("SEQUENCE", "")
    return DocumentEntry(
        type=fields.get("TYPE", ""),
        sequence=int(sequence) if sequence.isdigit() else None,
        filename=fields.get("FILENAME") or None,
        description=fields.get("DESCRIPTION", ""),
    )


class _Scanner:
    """A bounded window over a byte stream, read in chunks."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.buffer = bytearray()
        self.eof = False

    def _fill(self) -> bool:
        if self.eof:
            return False
        chunk = self.stream.read(CHUNK_BYTES)
        if not chunk:
            self.eof = True
            return False
        self.buffer += chunk
        return True

    def find(self, token: bytes, limit: int, start: int = 0) -> int:
        """Index of `token` in the buffer, reading at most `limit` bytes; -1 if absent."""
        while True:
            index = self.buffer.find(token, start, limit)
            if index >= 0:
                return index
            if len(self.buffer) >= limit:
                return -1
            start = max(start, len(self.buffer) - len(token) + 1)
            if not self._fill():
                return -1

    def consume(self, count: int) -> None:
        del self.buffer[:count]

    def skip_to(self, token: bytes) -> bool:
        """Drop everything before `token` (reading on as needed); False at the end."""
        while True:
            index = self.buffer.find(token)
            if index >= 0:
                self.consume(index + len(token))
                return True
            keep = len(token) - 1
            self.consume(max(0, len(self.buffer) - keep))
            if not self._fill():
                return False

    def _nested_wrapper_length(self) -> int:
        """A document pasted with its own `<DOCUMENT>` wrapper (as served from the
        Archives folder) inside a submission: that wrapper does not end it."""
        head = bytes(self.buffer[:200])
        stripped = head.lstrip()
        if stripped.startswith(b"<DOCUMENT>"):
            return len(head) - len(stripped) + len(b"<DOCUMENT>")
        return 0

    def take_text(self, limit: int) -> tuple[bytes, bool]:
        """The document text up to `</TEXT>`, at most `limit` bytes.

        A document missing its `</TEXT>` ends at `</DOCUMENT>` or at the next
        `<DOCUMENT>`, so one malformed document cannot swallow the others.
        """
        end = self.find(b"</TEXT>", limit)
        nested = self._nested_wrapper_length()
        for token in (b"</DOCUMENT>", b"<DOCUMENT>"):
            other = self.find(token, end if end >= 0 else limit, nested)
            if other >= 0:
                end = other
        truncated = end < 0 and len(self.buffer) >= limit
        stop = end if end >= 0 else min(len(self.buffer), limit)
        text = bytes(self.buffer[:stop])
        self.consume(stop)
        return text, truncated
