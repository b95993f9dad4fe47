"""Item headings on an 8-K's lines, by one small grammar.

Every heading shape the filers use (`Item 1.01.`, `ITEM 1.01 — Entry into…`,
`Item&nbsp;1.01`, number and title in separate table cells, bold spans, tab
fonts, `Items 1.01(a) and 5.02(e)`) is handled by one grammar instead of one
rule per generator; a heading without its number is found by its title.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from edgarwatch.items import (
    LEGACY_TITLES,
    MODERN_NUMBERING_SINCE,
    MODERN_TITLES,
    title_keys_for,
    title_words,
)

Numbering = Literal["modern", "legacy"]


_NUMBER = r"\d{1,2}(?:\.\d{1,2})?(?!\d|\.\d)(?:\s?\([a-zA-Z0-9]{1,4}\))*"
_HEADING_RE = re.compile(
    r"^items?\s*(?:no\.?\s*)?"
    rf"(?P<numbers>{_NUMBER}(?:\s*(?:,\s*and|,|&|and)\s*(?:items?\s*)?{_NUMBER})*)"
    r"(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
HEADING_START_RE = re.compile(r"^items?\s*(?:no\.?\s*)?\d", re.IGNORECASE)
_NUMBER_RE = re.compile(r"(\d{1,2})(?:\.(\d{1,2}))?(?!\d|\.\d)")
_SUFFIX_RE = re.compile(r"\([^)]*\)")
LEADING_PUNCT = " .:;,-–—|)*_•·/"
_SENTENCE_END_RE = re.compile(r"\.\s+(?=[A-Z“\"(])")
_MAX_TITLE_CHARS = 300
BARE_ITEM_RE = re.compile(r"^items?[.:]?$", re.IGNORECASE)
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
    if not HEADING_START_RE.match(line):
        return None
    match = _HEADING_RE.match(line)
    if match is None:
        return None
    numbers = _item_numbers(match.group("numbers"))
    raw_rest = match.group("rest")
    if not numbers or (raw_rest[:1].isalpha() and "." not in numbers[-1]):
        return None  # "Item 1A. Risk Factors" is a 10-K item, not legacy 8-K Item 1
    rest = raw_rest.lstrip(LEADING_PUNCT)
    if rest[:1].islower() and not title_length(rest, numbers):
        return None
    title, body = _split_title(rest, numbers)
    numbers = _with_titled_numbers(numbers, title)
    if chained < _MAX_CHAINED and HEADING_START_RE.match(body):  # "Item 1.01 …; Item 2.03 …"
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


def title_length(rest: str, numbers: tuple[str, ...]) -> int:
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
    official = title_length(rest, numbers)
    after = rest[official:].lstrip(LEADING_PUNCT) if official else ""
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
        if BARE_ITEM_RE.match(line) and index + 1 < len(lines):
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
