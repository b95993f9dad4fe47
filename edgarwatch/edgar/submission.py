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

This module holds the types and limits; `sec_header.py` parses the header,
`submission_reader.py` streams the documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from edgarwatch.filing import Company

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
