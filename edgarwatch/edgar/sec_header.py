"""The SEC header of a complete submission, tab style or tag style, as a `SubmissionHeader` (see `edgarwatch.edgar.submission`)."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime

from edgarwatch.edgar.submission import (
    MAX_HEADER_BYTES,
    MAX_HEADER_LINES,
    SubmissionHeader,
    normalise_newlines,
    strip_pem,
)
from edgarwatch.filing import EASTERN, Company, normalise_accession
from edgarwatch.items import normalise_number, number_for_title

logger = logging.getLogger(__name__)


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
