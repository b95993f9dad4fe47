"""An HTML primary document → normalised text lines.

HTML goes through selectolax (Lexbor): hidden content is removed first
(`<ix:header>` holds the inline-XBRL facts, `display:none` blocks hold them
too), then block elements get line-break markers and table cells cell
markers, and the text comes out of Lexbor in one call. A table row becomes
one line ("Item 1.01 | Entry into…" reads "Item 1.01 Entry into…"), unless
the row is a layout container (one non-empty cell, or a nested table), whose
paragraphs stay lines.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from edgarwatch.edgar.lines import MAX_DOCUMENT_CHARS, drop_invisible, normalise_space
from edgarwatch.edgar.nesting import defuse_html
from edgarwatch.edgar.text_lines import text_lines

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

_ROW_MAX_CHARS = 3_000
"""A multi-cell row longer than this is a layout row: its paragraphs stay lines."""


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
