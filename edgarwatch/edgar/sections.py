"""An 8-K's lines and item headings → its item sections.

The lines come from `edgarwatch.edgar.document` (HTML through
`html_lines`, plain text through `text_lines`), the headings from
`edgarwatch.edgar.headings`.

A section runs from its heading to the next item heading or to the signature
block (`SIGNATURES`, or the "Pursuant to the requirements of the Securities
Exchange Act" sentence that opens it): the signature block never belongs to
the last item, and nothing after it (exhibit indexes, appended exhibits) is
searched for headings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from edgarwatch.edgar.headings import (
    BARE_ITEM_RE,
    LEADING_PUNCT,
    Heading,
    Numbering,
    find_headings,
    find_title_headings,
    title_length,
)
from edgarwatch.edgar.lines import NOT_APPLICABLE_RE, is_signature_line
from edgarwatch.edgar.text_lines import running_headers

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
_CONTENTS_ENTRY_RE = re.compile(
    r"^(?:signatures?|exhibits?(?:\s+(?:list|index))?|index\s+to\s+exhibits"
    r"|exhibit\s+\d{1,3}(?:\.\d{1,3})?[a-z]?)\s*[.:]?$",
    re.IGNORECASE,
)
"""A contents entry for the report's back matter with no page number: a linked table
of contents (Donnelley's 8-Ks of the 2010s) lists "SIGNATURE", "EXHIBIT LIST",
"EXHIBIT 99.1" under its last item."""
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
    if BARE_ITEM_RE.match(lines[heading.line]) and body:
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
    return title_length(combined, heading.numbers) >= len(combined) - 1


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
    """A page number, a contents entry ("Signatures ..... 4", "EXHIBIT 99.1"), a section
    title ("Section 2 – Financial Information") or nothing at all."""
    return bool(
        _NOISE_RE.match(line)
        or _TOC_LINE_RE.search(line[-16:])
        or is_signature_line(line)
        or _CONTENTS_ENTRY_RE.match(line)
        or _SECTION_HEADER_RE.match(line)
    )


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
    title = heading.title.strip(LEADING_PUNCT)
    return Section(heading.numbers, title, "\n".join(cleaned), heading.line)


def _before_exhibit_index(body: list[str]) -> list[str]:
    for index, line in enumerate(body):
        if _EXHIBIT_INDEX_RE.match(line):
            return body[:index]
    return body


def _not_applicable(section: Section) -> bool:
    """Pre-2004 filings list every item, most with "Not applicable." under them."""
    return bool(NOT_APPLICABLE_RE.match(section.text) or NOT_APPLICABLE_RE.match(section.heading))
