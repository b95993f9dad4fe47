"""A complete submission read as a stream: the header and the primary document kept (each up to a cap), of the other documents only their `<DOCUMENT>` head."""

from __future__ import annotations

import io
import re
from typing import BinaryIO

from edgarwatch.edgar.sec_header import parse_header
from edgarwatch.edgar.submission import (
    CHUNK_BYTES,
    MAX_DOCUMENT_HEAD_BYTES,
    MAX_DOCUMENTS,
    MAX_HEADER_BYTES,
    MAX_PRIMARY_BYTES,
    DocumentEntry,
    Submission,
)

_HEAD_TAG_RE = re.compile(rb"<(TYPE|SEQUENCE|FILENAME|DESCRIPTION)>([^\r\n<]*)")


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
