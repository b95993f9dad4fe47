"""An 8-K's primary document → clean text lines → item headings → sections.

EDGAR serves the primary document in many shapes: HTML from every generator
of the last thirty years (Donnelley, Merrill/Toppan, Workiva inline XBRL,
EDGARizer, hand-typed), plain text from the 1990s, either of them with or
without the SGML `<DOCUMENT>…<TEXT>` wrapper. This module reduces all of them
to one thing, a list of normalised text lines (one per paragraph, one per
table row), and finds the item headings on those lines, so that every
heading shape the filers use (`Item 1.01.`, `ITEM 1.01 — Entry into…`,
`Item&nbsp;1.01`, number and title in separate table cells, bold spans, tab
fonts, `Items 1.01(a) and 5.02(e)`) is handled by one small grammar instead
of one rule per generator.

HTML goes through selectolax (Lexbor): hidden content is removed first
(`<ix:header>` holds the inline-XBRL facts, `display:none` blocks hold them
too), then block elements get line-break markers and table cells cell
markers, and the text comes out of Lexbor in one call. A table row becomes
one line ("Item 1.01 | Entry into…" reads "Item 1.01 Entry into…"), unless
the row is a layout container (one non-empty cell, or a nested table), whose
paragraphs stay lines.

A section runs from its heading to the next item heading or to the signature
block (`SIGNATURES`, or the "Pursuant to the requirements of the Securities
Exchange Act" sentence that opens it): the signature block never belongs to
the last item, and nothing after it (exhibit indexes, appended exhibits) is
searched for headings.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain
from typing import Literal

from selectolax.lexbor import LexborHTMLParser

from edgarwatch.edgar.nesting import defuse_html
from edgarwatch.items import (
    LEGACY_TITLES,
    MODERN_NUMBERING_SINCE,
    MODERN_TITLES,
    title_keys_for,
    title_words,
)

Numbering = Literal["modern", "legacy"]

MAX_DOCUMENT_CHARS = 16_000_000
"""Primary documents past this size are cut: the largest real 8-K bodies are
a few MB (inline XBRL with embedded images); items are at the start."""

MAX_LINE_CHARS = 20_000
"""A line longer than this is cut before any regex sees it."""

MAX_TEXT_LINES = 100_000
"""Plain-text lines read (a real 8-K has a few thousand; its items come first)."""

_BREAK = "\x1e"  # block boundary (paragraph, div, br, …)
_CELL = "\x1f"  # end of a table cell
_ROW_OPEN = "\x02"
_ROW_CLOSE = "\x03"
_MARKERS_RE = re.compile("([\x02\x03\x1e\x1f])")

_BLOCK_SELECTOR = (
    "p, div, br, li, ul, ol, dl, dt, dd, h1, h2, h3, h4, h5, h6, table, center, "
    "blockquote, hr, section, article, header, footer, address, caption, form"
)
_HIDDEN_SELECTOR = "head, script, style, noscript, template, title, ix\\:header, [hidden]"
_DISPLAY_NONE_RE = re.compile(r"display\s*:\s*none", re.IGNORECASE)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))

_ROW_MAX_CHARS = 3_000
"""A multi-cell row longer than this is a layout row: its paragraphs stay lines."""

_HTML_SNIFF_RE = re.compile(
    r"<(?:html|body|head|div|font|span|center|!doctype|\?xml|p[\s>]|br[\s/>]|b>|table\s)",
    re.IGNORECASE,
)
_SGML_HEAD_RE = re.compile(r"<(TYPE|SEQUENCE|FILENAME|DESCRIPTION)>([^\r\n<]*)")


# --- from bytes to a document -------------------------------------------------


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


# --- HTML to lines -------------------------------------------------------------


def html_lines(html: str) -> list[str]:
    """Visible text of an HTML document, one normalised line per block or table row."""
    tree = LexborHTMLParser(_defuse_nesting(html[:MAX_DOCUMENT_CHARS]))
    _remove_hidden(tree)
    _flatten_preformatted(tree)
    _insert_markers(tree)
    root = tree.body or tree.root
    if root is None:
        return []
    return _lines_from_marked_text(drop_invisible(root.text(deep=True, separator="", strip=False)))


def _defuse_nesting(html: str) -> str:
    """Flatten a document whose elements nest thousands deep, cut one of absurdly many
    tags (see `nesting`): HTML5 tree building walks the stack of open elements for
    many tags, so N nested elements cost O(N²)."""
    return defuse_html(html)


def _remove_hidden(tree: LexborHTMLParser) -> None:
    """Inline XBRL keeps its facts in `<ix:header>` inside a `display:none` div.

    The root element stays whatever it says: Lexbor refuses to remove it (a
    document whose `<html>` is `hidden` raised SelectolaxError), and a filing
    that hides all of itself is read rather than failed."""
    root = tree.root.mem_id if tree.root is not None else None  # `==` serializes both nodes
    for node in tree.css(_HIDDEN_SELECTOR):
        if node.mem_id != root:
            node.decompose()
    for node in tree.css('[style*="display" i]'):
        if node.mem_id != root and _DISPLAY_NONE_RE.search(node.attributes.get("style") or ""):
            node.decompose()


def _flatten_preformatted(tree: LexborHTMLParser) -> None:
    """`<pre>` holds a plain-text filing wrapped in HTML: read it as plain text."""
    for node in tree.css("pre"):
        node.replace_with(_BREAK + _BREAK.join(text_lines(node.text())) + _BREAK)


def _insert_markers(tree: LexborHTMLParser) -> None:
    for node in tree.css(_BLOCK_SELECTOR):
        node.insert_before(_BREAK)
        node.insert_after(_BREAK)
    for node in tree.css("tr"):
        node.insert_before(_ROW_OPEN)
        node.insert_after(_ROW_CLOSE)
    for node in tree.css("td, th"):
        node.insert_after(_CELL)


class _Row:
    """A table row being collected: its cells, each a list of text segments."""

    __slots__ = ("cells", "layout")

    def __init__(self) -> None:
        self.cells: list[list[str]] = [[]]
        self.layout = False

    def add_text(self, text: str) -> None:
        cell = self.cells[-1]
        if cell:
            cell[-1] += text
        else:
            cell.append(text)

    def add_break(self) -> None:
        self.cells[-1].append("")

    def add_lines(self, lines: list[str]) -> None:
        self.cells[-1].extend(lines)
        self.cells[-1].append("")

    def render(self) -> list[str]:
        cells = [[line for line in map(normalise_space, cell) if line] for cell in self.cells]
        filled = [cell for cell in cells if cell]
        if self.layout or len(filled) < 2:
            return [line for cell in filled for line in cell]
        line = " ".join(" ".join(cell) for cell in filled)
        if len(line) > _ROW_MAX_CHARS:
            return [line for cell in filled for line in cell]
        return [line]


def _lines_from_marked_text(text: str) -> list[str]:
    """Turn Lexbor's text with our markers into lines, rows flattened."""
    builder = _LineBuilder()
    handlers = {
        _BREAK: builder.add_break,
        _CELL: builder.end_cell,
        _ROW_OPEN: builder.open_row,
        _ROW_CLOSE: builder.close_row,
    }
    for token in _MARKERS_RE.split(text):
        handler = handlers.get(token)
        if handler is not None:
            handler()
        elif token:
            builder.add_text(token)
    return builder.finish()


class _LineBuilder:
    """Lines of the document, with the table rows still open around the current text."""

    def __init__(self) -> None:
        self.lines: list[str] = [""]
        self.rows: list[_Row] = []

    def add_text(self, text: str) -> None:
        if self.rows:
            self.rows[-1].add_text(text)
        else:
            self.lines[-1] += text

    def add_break(self) -> None:
        if self.rows:
            self.rows[-1].add_break()
        else:
            self.lines.append("")

    def end_cell(self) -> None:
        if self.rows:
            self.rows[-1].cells.append([])
        else:
            self.lines.append("")

    def open_row(self) -> None:
        if self.rows:
            self.rows[-1].layout = True  # a table inside a cell: the outer row is layout
        self.rows.append(_Row())

    def close_row(self) -> None:
        if not self.rows:
            return
        rendered = self.rows.pop().render()
        if self.rows:
            self.rows[-1].add_lines(rendered)
        else:
            self.lines.extend(rendered)
            self.lines.append("")

    def finish(self) -> list[str]:
        while self.rows:
            self.close_row()
        return [line for line in map(normalise_space, self.lines) if line]


def normalise_space(text: str) -> str:
    """One space between words: tabs, newlines and `&nbsp;` go (see `drop_invisible`)."""
    return " ".join(text.split())[:MAX_LINE_CHARS]


_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def drop_invisible(text: str) -> str:
    """Zero-width spaces, BOMs and soft hyphens split words without showing.

    `str.translate` with a mapping visits every character in Python's slow
    path; most documents hold none of these, which one regex search tells."""
    return text.translate(_INVISIBLE) if _INVISIBLE_RE.search(text) else text


# --- plain text to lines ---------------------------------------------------------

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
        if _HEADING_START_RE.match(line) or len(cover) >= _COVER_LINES:
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
    if _HEADING_START_RE.match(line) or _NOT_APPLICABLE_RE.match(line) or is_signature_line(line):
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
        if _HEADING_START_RE.match(stripped) or self._continues_heading(indent):
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


def document_lines(document: PrimaryDocument) -> list[str]:
    """The document as normalised lines, whatever its format."""
    if document.is_html:
        return html_lines(document.text)
    return text_lines(document.text)


# --- headings ---------------------------------------------------------------------

_NUMBER = r"\d{1,2}(?:\.\d{1,2})?(?!\d|\.\d)(?:\s?\([a-zA-Z0-9]{1,4}\))*"
_HEADING_RE = re.compile(
    r"^items?\s*(?:no\.?\s*)?"
    rf"(?P<numbers>{_NUMBER}(?:\s*(?:,\s*and|,|&|and)\s*(?:items?\s*)?{_NUMBER})*)"
    r"(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_HEADING_START_RE = re.compile(r"^items?\s*(?:no\.?\s*)?\d", re.IGNORECASE)
_NUMBER_RE = re.compile(r"(\d{1,2})(?:\.(\d{1,2}))?(?!\d|\.\d)")
_SUFFIX_RE = re.compile(r"\([^)]*\)")
_LEADING_PUNCT = " .:;,-–—|)*_•·/"
_SENTENCE_END_RE = re.compile(r"\.\s+(?=[A-Z“\"(])")
_MAX_TITLE_CHARS = 300
_BARE_ITEM_RE = re.compile(r"^items?[.:]?$", re.IGNORECASE)
_TITLED_NUMBER_RE = re.compile(r"(?:\band|&|;|,)\s*items?\s*(\d{1,2}\.\d{2})(?![\d.])", re.I)
_SECTION_NUMBER_RE = re.compile(r"^(?:section\s+)?(\d\.\d{2})(?!\d)\s*[.:\-–—]?\s*", re.I)
_TITLE_ONLY_MAX_EXTRA = 3
_MAX_HEADINGS = 1_000
_MAX_CHAINED = 10
"""Headings chained on one line ("Item 1.01 …; Item 2.03 …") read before the rest is body."""


@dataclass(frozen=True)
class Heading:
    """An item heading found on a line of the document."""

    line: int
    numbers: tuple[str, ...]
    title: str
    rest: str = ""
    """Body text that follows the title on the heading's own line."""


def numbering_for(filed: date | None) -> Numbering | None:
    """Form 8-K was renumbered on 2004-08-23 (SEC Release 33-8400)."""
    if filed is None:
        return None
    return "modern" if filed >= MODERN_NUMBERING_SINCE else "legacy"


def parse_heading(line: str, index: int = 0, chained: int = 0) -> Heading | None:
    """`line` as an item heading, or None when it is prose or not an item.

    A heading starts with "Item"/"Items" and one or more item numbers; what
    follows must look like a title (punctuation, a capital, an official
    title) and not like a sentence ("Item 1.01 of this report is …",
    "Items 1 through 4 … Not applicable").
    """
    if not _HEADING_START_RE.match(line):
        return None
    match = _HEADING_RE.match(line)
    if match is None:
        return None
    numbers = _item_numbers(match.group("numbers"))
    raw_rest = match.group("rest")
    if not numbers or (raw_rest[:1].isalpha() and "." not in numbers[-1]):
        return None  # "Item 1A. Risk Factors" is a 10-K item, not legacy 8-K Item 1
    rest = raw_rest.lstrip(_LEADING_PUNCT)
    if rest[:1].islower() and not _title_length(rest, numbers):
        return None
    title, body = _split_title(rest, numbers)
    numbers = _with_titled_numbers(numbers, title)
    if chained < _MAX_CHAINED and _HEADING_START_RE.match(body):  # "Item 1.01 …; Item 2.03 …"
        more = parse_heading(body, chained=chained + 1)
        if more is not None and ("." in more.numbers[0]) == ("." in numbers[0]):
            numbers += tuple(n for n in more.numbers if n not in numbers)
            title, body = f"{title}; {more.title}", more.rest
    return Heading(line=index, numbers=numbers, title=title, rest=body)


def _with_titled_numbers(numbers: tuple[str, ...], title: str) -> tuple[str, ...]:
    """ "Item 2.02 Results of Operations … and Item 7.01 Regulation FD Disclosure"."""
    extra = _item_numbers(" ".join(_TITLED_NUMBER_RE.findall(title[:_MAX_TITLE_CHARS])))
    if not extra:
        return numbers
    modern = "." in numbers[0]
    return numbers + tuple(n for n in extra if n not in numbers and ("." in n) == modern)


def _item_numbers(text: str) -> tuple[str, ...]:
    numbers: list[str] = []
    for major, minor in _NUMBER_RE.findall(_SUFFIX_RE.sub(" ", text)):
        number = _valid_number(major, minor)
        if number is None:
            return ()
        if number not in numbers:
            numbers.append(number)
    return tuple(numbers)


def _valid_number(major: str, minor: str) -> str | None:
    """`1.01` / `9.1` (→ `9.01`) / legacy `7`; numbers the form never had are not items."""
    if minor:
        number = f"{int(major)}.{minor.rjust(2, '0')}"
        return number if number in MODERN_TITLES else None
    number = str(int(major))
    return number if number in LEGACY_TITLES else None


def _title_length(rest: str, numbers: tuple[str, ...]) -> int:
    """How many characters of `rest` official titles of `numbers` cover.

    A combined heading ("Items 2.02 and 7.01. Results of Operations and
    Financial Condition; Regulation FD Disclosure") carries one title per
    item, each consumed in turn.
    """
    words = title_words(rest[:_MAX_TITLE_CHARS])
    covered = 0
    remaining = list(numbers)
    while remaining:
        match = _first_title_key(words[covered:], remaining)
        if match is None:
            break
        number, length = match
        remaining.remove(number)
        covered += length
    return _offset_after_words(rest, covered) if covered else 0


def _first_title_key(words: tuple[str, ...], numbers: Sequence[str]) -> tuple[str, int] | None:
    for number in numbers:
        for key in title_keys_for(number):
            if words[: len(key)] == key:
                return number, len(key)
    return None


_WORD_RE = re.compile(r"[A-Za-z0-9]+")


def _offset_after_words(text: str, count: int) -> int:
    end = 0
    for seen, match in enumerate(_WORD_RE.finditer(text), start=1):
        end = match.end()
        if seen == count:
            break
    return end


def _split_title(rest: str, numbers: tuple[str, ...]) -> tuple[str, str]:
    """Separate the heading's title from body text written in the same paragraph.

    "Item 8.01 Other Events. On May 1, …": an official title (in any of its
    wordings) ends where its words end; any other title ends at the first
    sentence break, or is the whole line when there is none.
    """
    if not rest:
        return "", ""
    official = _title_length(rest, numbers)
    after = rest[official:].lstrip(_LEADING_PUNCT) if official else ""
    if official and not after[:1].islower():
        return rest[:official], after
    stop = _SENTENCE_END_RE.search(rest, official, _MAX_TITLE_CHARS)
    if stop is not None:
        return rest[: stop.start()], rest[stop.end() :]
    if len(rest) <= _MAX_TITLE_CHARS:
        return rest, ""
    return "", rest


def find_headings(lines: Sequence[str], numbering: Numbering | None = None) -> list[Heading]:
    """Every line of `lines` that is an item heading, in the numbering of the day.

    With the filing date known, only that numbering's items exist; without it,
    a document that uses modern numbers uses no legacy ones. "Item" alone on
    a line followed by "12. Results of …" is one heading split in two.
    """
    headings: list[Heading] = []
    for index, line in enumerate(lines):
        if line[:1] not in "Ii":
            continue
        if len(headings) >= _MAX_HEADINGS:
            break  # a real 8-K has a few dozen; the rest of a hostile one is text
        if _BARE_ITEM_RE.match(line) and index + 1 < len(lines):
            line = f"{line} {lines[index + 1]}"
        heading = parse_heading(line, index)
        if heading is not None:
            headings.append(heading)
    return _in_numbering(headings, numbering)


def _in_numbering(headings: list[Heading], numbering: Numbering | None) -> list[Heading]:
    if numbering is None:
        modern = any("." in n for h in headings for n in h.numbers)
        numbering = "modern" if modern else "legacy"
    keep_modern = numbering == "modern"
    kept: list[Heading] = []
    for heading in headings:
        numbers = tuple(n for n in heading.numbers if ("." in n) == keep_modern)
        if numbers == heading.numbers:
            kept.append(heading)
        elif numbers:
            kept.append(Heading(heading.line, numbers, heading.title, heading.rest))
    return kept


def find_title_headings(
    lines: Sequence[str], numbers: Sequence[str], start: int = 0
) -> list[Heading]:
    """Headings written as a bare official title ("Other Events", "2.02 Results of …").

    Some filers leave out the word "Item". Only used for items EDGAR
    declared that have no numbered heading, so a subheading that happens
    to read "Other Events" cannot invent an item.
    """
    wanted = {number: title_keys_for(number) for number in numbers}
    headings: list[Heading] = []
    for index in range(start, len(lines)):
        number = _title_only_number(lines[index], wanted)
        if number is not None:
            headings.append(Heading(index, (number,), lines[index]))
            del wanted[number]
            if not wanted:
                break
    return headings


def _title_only_number(line: str, wanted: dict[str, tuple[tuple[str, ...], ...]]) -> str | None:
    if len(line) > _MAX_TITLE_CHARS:
        return None
    prefix = _SECTION_NUMBER_RE.match(line)
    words = title_words(line[prefix.end() :] if prefix else line)
    for number, keys in wanted.items():
        if prefix and prefix.group(1) != number:
            continue
        if any(words[: len(k)] == k and len(words) - len(k) <= _TITLE_ONLY_MAX_EXTRA for k in keys):
            return number
    return None


# --- sections -----------------------------------------------------------------------

_SIGNATURE_RE = re.compile(
    r"^(?:s ?i ?g ?n ?a ?t ?u ?r ?e ?s?|signatures? page|exhibit index and signatures?)\s*[.:]?$",
    re.IGNORECASE,
)
_SIGNATURE_SENTENCE_RE = re.compile(
    r"^(?:signatures?\s*[.:]?\s*)?pursuant to the requirements? of (?:the )?"
    r"(?:securities (?:and )?exchange act|section 13|exchange act)",
    re.IGNORECASE,
)
_EXHIBIT_INDEX_RE = re.compile(
    r"^(?:exhibit index|index to exhibits|exhibits? list)\s*[.:]?$", re.IGNORECASE
)
_NOISE_RE = re.compile(
    r"^(?:-?\s*\d{1,3}\s*-?|page \d{1,3}(?: of \d{1,3})?|\d{1,3} of \d{1,3}|table of contents"
    r"|\W*|<page>[\s\d]*|\[?\s*(?:remainder of (?:this )?page intentionally left blank|"
    r"signature pages? follows?)\s*[.;]?\s*\]?\.?)$",
    re.IGNORECASE,
)
_SECTION_HEADER_RE = re.compile(r"^section \d{1,2}\s*[.:\-–—]?\s*[A-Z][^.]{0,90}$", re.IGNORECASE)
_TOC_LINE_RE = re.compile(r"(?:\.\.\.|…|\s)\s*\d{1,3}$")
_NOT_APPLICABLE_RE = re.compile(
    r"^(?:not applicable|none|n/?a|inapplicable|omitted|reserved)\.?$", re.IGNORECASE
)
_EXHIBIT_ITEMS = frozenset({"9.01", "7"})
_EXHIBIT_LIST_RE = re.compile(
    r"^(?:\(?[a-d]\)\s*)?exhibits?\s*[.:]?$|^exhibits?\s+(?:no\.?|number)\s+description\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Section:
    """The text of one item heading (or one combined heading naming several items)."""

    numbers: tuple[str, ...]
    heading: str
    text: str
    line: int


def is_signature_line(line: str) -> bool:
    return bool(_SIGNATURE_RE.match(line) or _SIGNATURE_SENTENCE_RE.match(line))


def split_sections(
    lines: Sequence[str],
    numbering: Numbering | None = None,
    expected: Sequence[str] = (),
) -> list[Section]:
    """Cut `lines` into item sections: heading → next heading or signature block.

    `expected` are the item numbers EDGAR declared: one with no numbered
    heading may still be found under its bare official title. So may an item
    that only a table of contents names; an exhibit item with neither starts
    at its exhibit list ("(d) Exhibits"), which is then not the tail of the
    item before it.
    """
    headings = find_headings(lines, numbering)
    end = _signature_line(lines, headings)
    headings = headings[: _before_signatures(headings, end)]
    missing = _missing_items(headings, lines, expected, end)
    if missing:
        start = headings[0].line if headings else _cover_end(lines)
        found = find_title_headings(lines, missing, start)
        found += _exhibit_list_headings(lines, missing, found, (start, end))
        headings = sorted(headings + found, key=lambda h: h.line)
    end = _signature_line(lines, headings)
    headings = headings[: _before_signatures(headings, end)]
    if not headings:
        return []
    headings = _first_of_each_item(_without_contents(headings, lines, end))
    bounds = [h.line for h in headings[1:]] + [end]
    headers = running_headers(lines)
    sections = [
        _section(heading, lines, stop, headers)
        for heading, stop in zip(headings, bounds, strict=True)
    ]
    return [s for s in sections if not _not_applicable(s)]


def _missing_items(
    headings: Sequence[Heading], lines: Sequence[str], expected: Sequence[str], end: int
) -> list[str]:
    """Items declared, or named only by a table of contents, with no heading over any text."""
    bounds = [h.line for h in headings[1:]] + [end] if headings else []
    with_text: set[str] = set()
    listed: list[str] = []
    for heading, stop in zip(headings, bounds, strict=True):
        if all(_is_contents_line(line) for line in _body(heading, lines, stop)):
            listed.extend(heading.numbers)
        else:
            with_text.update(heading.numbers)
    return [n for n in dict.fromkeys([*expected, *listed]) if n not in with_text]


def _exhibit_list_headings(
    lines: Sequence[str], missing: Sequence[str], found: Sequence[Heading], span: tuple[int, int]
) -> list[Heading]:
    """An exhibit item written without a heading starts at its exhibit list."""
    titled = {n for heading in found for n in heading.numbers}
    wanted = [n for n in missing if n in _EXHIBIT_ITEMS and n not in titled]
    if not wanted:
        return []
    start, end = span
    for index in range(start + 1, min(end, len(lines))):
        if _EXHIBIT_LIST_RE.match(lines[index]):
            return [Heading(index, (wanted[0],), "", rest=lines[index])]
    return []


def _signature_line(lines: Sequence[str], headings: Sequence[Heading]) -> int:
    """The signature block that closes the last item (not a contents entry for it)."""
    if not headings:
        return len(lines)
    starts = {h.line for h in headings}
    has_body = False
    for index in range(headings[0].line + 1, len(lines)):
        line = lines[index]
        if index in starts:
            continue
        if is_signature_line(line):
            if has_body:
                return index
            continue
        if not _NOISE_RE.match(line) and not _TOC_LINE_RE.search(line[-16:]):
            has_body = True
    return len(lines)


def _before_signatures(headings: Sequence[Heading], end: int) -> int:
    return sum(1 for heading in headings if heading.line < end)


def _cover_end(lines: Sequence[str]) -> int:
    """Where the cover page ends: after its last check box line, if any."""
    for index in range(min(len(lines), 80) - 1, -1, -1):
        if "13e-4(c)" in lines[index] or "emerging growth company" in lines[index].lower():
            return index + 1
    return 0


def _body(heading: Heading, lines: Sequence[str], stop: int) -> list[str]:
    body = list(lines[heading.line + 1 : stop])
    if _BARE_ITEM_RE.match(lines[heading.line]) and body:
        body = body[1:]  # "Item" / "12. Results …": the number line was the heading's
    if body and _continues_title(heading, body[0]):
        body = body[1:]  # "Item 12." / "Results of Operations …" on the next line
    if heading.rest:
        body.insert(0, heading.rest)
    return body


def _continues_title(heading: Heading, line: str) -> bool:
    """Is `line` the (rest of the) heading's official title, wrapped onto the next line?"""
    if heading.rest:
        return False
    combined = f"{heading.title} {line}".strip().rstrip(" .:")
    return _title_length(combined, heading.numbers) >= len(combined) - 1


def _without_contents(headings: list[Heading], lines: Sequence[str], end: int) -> list[Heading]:
    """A table of contents repeats the headings with only page numbers under them.

    Such a heading is dropped when the same item has a heading again further
    down: the later one is where the text is.
    """
    kept: list[Heading] = []
    later: set[str] = set()
    bounds = [h.line for h in headings[1:]] + [end]
    for heading, stop in reversed(list(zip(headings, bounds, strict=True))):
        contents = all(_is_contents_line(line) for line in _body(heading, lines, stop))
        if not (contents and set(heading.numbers) <= later):
            kept.append(heading)
        later.update(heading.numbers)
    return kept[::-1]


def _is_contents_line(line: str) -> bool:
    """A page number, a contents entry ("Signatures ..... 4") or nothing at all."""
    return bool(_NOISE_RE.match(line) or _TOC_LINE_RE.search(line[-16:]) or is_signature_line(line))


def _first_of_each_item(headings: list[Heading]) -> list[Heading]:
    """A heading for items that all already had one stays text of the current section.

    Real repeats are sub-headings ("Item 5.02(b)", then "Item 5.02(e)") or
    a later paragraph that starts by naming the item; neither opens a new item.
    """
    seen: set[str] = set()
    kept: list[Heading] = []
    for heading in headings:
        if not set(heading.numbers) <= seen:
            kept.append(heading)
            seen.update(heading.numbers)
    return kept


def _section(
    heading: Heading, lines: Sequence[str], stop: int, headers: frozenset[str] = frozenset()
) -> Section:
    body = _body(heading, lines, stop)
    if not set(heading.numbers) & _EXHIBIT_ITEMS:
        body = _before_exhibit_index(body)
    cleaned = [line for line in body if not _NOISE_RE.match(line) and line not in headers]
    while cleaned and _SECTION_HEADER_RE.match(cleaned[-1]):
        cleaned.pop()  # "Section 9 – Financial Statements and Exhibits" opens the next item
    title = heading.title.strip(_LEADING_PUNCT)
    return Section(heading.numbers, title, "\n".join(cleaned), heading.line)


def _before_exhibit_index(body: list[str]) -> list[str]:
    for index, line in enumerate(body):
        if _EXHIBIT_INDEX_RE.match(line):
            return body[:index]
    return body


def _not_applicable(section: Section) -> bool:
    """Pre-2004 filings list every item, most with "Not applicable." under them."""
    return bool(_NOT_APPLICABLE_RE.match(section.text) or _NOT_APPLICABLE_RE.match(section.heading))


_FORM_RE = re.compile(r"^form\s*(8-k(?:/a)?|8-k12b|8-k12g3|8-k15d5)\b", re.IGNORECASE)
_REGISTRANT_CAPTION_RE = re.compile(r"\(?\s*exact name of (?:the )?registrants?\b", re.IGNORECASE)
_MAX_NAME_CHARS = 120


def cover_form(lines: Sequence[str]) -> str | None:
    """The form named on the cover page ("FORM 8-K", "FORM 8-K/A"), if any."""
    for line in lines[:40]:
        match = _FORM_RE.match(line)
        if match:
            return match.group(1).upper()
    return None


def cover_registrant(lines: Sequence[str]) -> str | None:
    """The registrant's name as the cover prints it, above "(Exact name of registrant
    as specified in its charter)" (or before it, on the same line)."""
    for index, line in enumerate(lines[:80]):
        caption = _REGISTRANT_CAPTION_RE.search(line)
        if caption is None:
            continue
        name = line[: caption.start()].strip(" (|") or (lines[index - 1] if index else "")
        name = name.strip(" |")
        if name and len(name) <= _MAX_NAME_CHARS and any(c.isalpha() for c in name):
            return name
        return None
    return None
