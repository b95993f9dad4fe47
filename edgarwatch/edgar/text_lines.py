"""A plain-text primary document (the 1990s' 8-Ks, SGML-tagged or not) → normalised
text lines: page markers, rules and running page headers dropped, wrapped
paragraphs joined.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from itertools import chain

from edgarwatch.edgar.headings import HEADING_START_RE
from edgarwatch.edgar.lines import (
    MAX_DOCUMENT_CHARS,
    MAX_LINE_CHARS,
    NOT_APPLICABLE_RE,
    drop_invisible,
    is_signature_line,
    normalise_space,
)

MAX_TEXT_LINES = 100_000
"""Plain-text lines read (a real 8-K has a few thousand; its items come first)."""


_SGML_TEXT_TAG_RE = re.compile(r"^\s*</?(?:PAGE|S|C|FN|CAPTION|TABLE)>[\s\d]*$", re.IGNORECASE)
_RULE_RE = re.compile(r"^[\s\-_=*.~+#]+$")
_TABULAR_GAP = "    "
_ENUMERATED_RE = re.compile(r"^(?:\(?[0-9a-zA-Z]{1,3}\)|\d{1,3}(?:\.\d{1,2})?\.?|[*•-])\s{2,}\S")


def text_lines(text: str) -> list[str]:
    """Plain-text filings: paragraphs joined into lines, tabular lines kept.

    1990s filings are typed at 80 columns: a paragraph wraps over several
    lines and ends at a blank line; tables align columns with runs of
    spaces. A heading line always starts a new paragraph, and takes the
    next line with it only when it visibly continues (it ends with `;`, `,`
    or `and`, and the next line is not indented further), as in
    "Items 1.01(a) and 5.02(e) Amendment of …;" / "Compensatory Arrangements…".
    A list entry ("10.1   Agreement …") starts a paragraph of its own; justified
    prose ("of  an  operating   company") is not a table.

    Text converters (HTML or PDF to "markdown") leave `#### ITEM 1.01 …`
    headings and `**bold**` spans: their marks are dropped. A running page
    header ("ACME CORP" / "FORM 8-K" at the top of every page) stands as
    lines of its own, never glued to the paragraph it interrupts.
    """
    text = drop_invisible(text[:MAX_DOCUMENT_CHARS]).replace("\r\n", "\n").replace("\r", "\n")
    raw_lines = [
        _strip_markdown(raw.replace("\f", "").rstrip()[:MAX_LINE_CHARS])
        for raw in text.split("\n", MAX_TEXT_LINES)[:MAX_TEXT_LINES]
    ]
    reader = _TextReader(running_headers(line.strip() for line in raw_lines))
    for raw in raw_lines:
        reader.feed(raw)
    reader.flush()
    return [line for line in reader.lines if line]


_MARKDOWN_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+")
_MARKDOWN_EMPHASIS_RE = re.compile(
    r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=[^\s_])(.+?)(?<=[^\s_])__"
    r"|(?<![\w*])\*(?=[^\s*])([^*]+?)(?<=[^\s*])\*(?![\w*])"
)


def _strip_markdown(raw: str) -> str:
    """`#### **ITEM 1.01** — Entry …` → `ITEM 1.01 — Entry …` (converter output)."""
    if "#" in raw:
        raw = _MARKDOWN_HEADING_RE.sub("", raw)
    if "*" in raw or "__" in raw:
        raw = _MARKDOWN_EMPHASIS_RE.sub(_emphasised, raw)
    return raw


def _emphasised(match: re.Match[str]) -> str:
    return next(group for group in match.groups() if group is not None)


_RUNNING_HEADER_MAX_CHARS = 80
_COVER_LINES = 60
_FORM_LINE_RE = re.compile(r"^(?:current report on )?form 8-k(?:/a)?$", re.IGNORECASE)


def running_headers(lines: Iterable[str]) -> frozenset[str]:
    """Lines of the cover page repeated at the top of later pages: "ACME CORP", "FORM 8-K".

    A short line in capitals (or "Form 8-K") among the cover's first lines
    that occurs again further down, and is neither an item heading, nor
    "None."/"Not applicable", nor part of the signature block. Inside an item
    it is the page's furniture, not its text: left in, it would keep a
    "None." item from being dropped. Lines the cover does not print (the
    captions of financial statements) are never taken for page headers.
    """
    rest = iter(lines)
    cover: list[str] = []
    for line in rest:
        if HEADING_START_RE.match(line) or len(cover) >= _COVER_LINES:
            cover_end = [line]
            break
        cover.append(line)
    else:
        cover_end = []
    candidates = {
        line
        for line in cover
        if line and len(line) <= _RUNNING_HEADER_MAX_CHARS and _looks_like_page_header(line)
    }
    if not candidates:
        return frozenset()
    counts = Counter(line for line in chain(cover, cover_end, rest) if line in candidates)
    return frozenset(line for line in candidates if counts[line] > 1)


def _looks_like_page_header(line: str) -> bool:
    if not any(char.isalpha() for char in line) or line.endswith(":") or "<" in line:
        return False
    if any(char.isdigit() for char in line.replace("8-K", "")):
        return False  # "TOTAL $ 3,086,238": a caption of a table, not a page header
    if HEADING_START_RE.match(line) or NOT_APPLICABLE_RE.match(line) or is_signature_line(line):
        return False
    return line == line.upper() or bool(_FORM_LINE_RE.match(line))


class _TextReader:
    """Paragraph state while reading a plain-text document line by line."""

    def __init__(self, standalone: frozenset[str] = frozenset()) -> None:
        self.lines: list[str] = []
        self.paragraph: list[str] = []
        self.heading_indent = -1  # >= 0 while a heading may continue on the next line
        self.standalone = standalone  # running page headers: always lines of their own

    def flush(self) -> None:
        if self.paragraph:
            self.lines.append(normalise_space(" ".join(self.paragraph)))
            self.paragraph.clear()

    def feed(self, raw: str) -> None:
        stripped = raw.strip()
        if not stripped or _RULE_RE.match(raw) or _SGML_TEXT_TAG_RE.match(raw):
            self.flush()
            self.heading_indent = -1
            return
        if stripped in self.standalone:
            self.flush()
            self.lines.append(normalise_space(stripped))
            self.heading_indent = -1
            return
        indent = len(raw) - len(raw.lstrip())
        if HEADING_START_RE.match(stripped) or self._continues_heading(indent):
            if self.heading_indent < 0:
                self.flush()
            self.paragraph.append(stripped)
            self.heading_indent = indent if _continues(stripped) else -1
            return
        if self.heading_indent >= 0 or _ENUMERATED_RE.match(stripped):
            self.flush()  # "(c)    Exhibits", "10.1   Agreement …": a list entry
            self.heading_indent = -1
        elif _TABULAR_GAP in stripped:
            self.flush()
            self.lines.append(normalise_space(stripped))
            return
        self.paragraph.append(stripped)

    def _continues_heading(self, indent: int) -> bool:
        return self.heading_indent >= 0 and indent <= self.heading_indent


def _continues(line: str) -> bool:
    return line.endswith((";", ",", " and", " AND", "&", "-", "—"))
