"""An 8-K's primary document from bytes: decoded, unwrapped, and read as lines.

EDGAR serves the primary document in many shapes: HTML from every generator
of the last thirty years (Donnelley, Merrill/Toppan, Workiva inline XBRL,
EDGARizer, hand-typed), plain text from the 1990s, either of them with or
without the SGML `<DOCUMENT>…<TEXT>` wrapper. `document_lines` reduces all of
them to one thing, a list of normalised text lines (one per paragraph, one per
table row), on which `edgarwatch.edgar.headings` finds the item headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from edgarwatch.edgar.html_lines import html_lines
from edgarwatch.edgar.lines import MAX_DOCUMENT_CHARS
from edgarwatch.edgar.text_lines import text_lines

_HTML_SNIFF_RE = re.compile(
    r"<(?:html|body|head|div|font|span|center|!doctype|\?xml|p[\s>]|br[\s/>]|b>|table\s)",
    re.IGNORECASE,
)
_SGML_HEAD_RE = re.compile(r"<(TYPE|SEQUENCE|FILENAME|DESCRIPTION)>([^\r\n<]*)")


def decode(data: bytes) -> str:
    """EDGAR documents are ASCII, UTF-8 (modern inline XBRL) or Windows-1252.

    UTF-8 is tried first because a valid UTF-8 document is almost never
    meant as 1252; anything else is read as 1252, which also maps the
    "smart quotes" of 1990s word processors.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start >= len(data) - 3:  # a character cut by a size limit
            return data[: error.start].decode("utf-8")
        return data.decode("cp1252", errors="replace")


@dataclass(frozen=True)
class PrimaryDocument:
    """The primary document's text, with what its SGML wrapper said about it."""

    text: str
    type: str | None = None
    filename: str | None = None
    description: str | None = None

    @property
    def is_html(self) -> bool:
        """An `.htm` name says so; otherwise look for HTML tags near the start.

        1990s plain-text filings carry SGML tags of their own (`<PAGE>`,
        `<TABLE>`, `<S>`, `<C>`), so those do not count as HTML.
        """
        if (self.filename or "").lower().endswith((".htm", ".html", ".xhtml")):
            return True
        return bool(_HTML_SNIFF_RE.search(self.text, 0, 4_000))


def unwrap_document(text: str) -> PrimaryDocument:
    """Strip the `<DOCUMENT>…<TEXT>` wrapper EDGAR puts around every document.

    Primary documents that are not inline XBRL are served from the Archives
    folder with it (every 2004–2018 primary document of the corpus starts
    with `<DOCUMENT>`); inline XBRL inside a complete submission adds
    `<XBRL>` inside `<TEXT>`.
    """
    text = text[:MAX_DOCUMENT_CHARS]
    if not text[:200].lstrip().upper().startswith("<DOCUMENT>"):
        return PrimaryDocument(text=_strip_xbrl_wrapper(text))
    text_at = text.find("<TEXT>")
    if text_at < 0:
        return PrimaryDocument(text="")
    fields = {name: value.strip() for name, value in _SGML_HEAD_RE.findall(text, 0, text_at)}
    end = text.find("</TEXT>", text_at)
    body = text[text_at + len("<TEXT>") : end if end >= 0 else len(text)]
    return PrimaryDocument(
        text=_strip_xbrl_wrapper(body),
        type=fields.get("TYPE") or None,
        filename=fields.get("FILENAME") or None,
        description=fields.get("DESCRIPTION") or None,
    )


def _strip_xbrl_wrapper(text: str) -> str:
    head = text[:200]
    start = head.upper().find("<XBRL>")
    if start < 0 or head[:start].strip():
        return text
    end = text.rfind("</XBRL>")
    return text[start + len("<XBRL>") : end if end > start else len(text)]


def document_lines(document: PrimaryDocument) -> list[str]:
    """The document as normalised lines, whatever its format."""
    if document.is_html:
        return html_lines(document.text)
    return text_lines(document.text)
