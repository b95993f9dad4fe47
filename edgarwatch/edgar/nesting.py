"""Keep HTML5 tree building cheap: cut documents of absurdly many tags, and flatten
documents whose elements nest thousands deep.

An HTML5 parser keeps a stack of open elements, and many tokens walk it: a
block start tag looks for an open `<p>` to close, `<li>`/`<dd>` look for
their siblings, `<rt>` for a `<ruby>`, an unmatched end tag looks for its
element. With N elements open each of those costs O(N), so a document of
200,000 nested `<div>`s, `<ul>`s or `<span>`s followed by end tags (2 MB)
takes minutes in any conforming parser, Lexbor included. Real filings nest
a few dozen deep at most (the recorded corpus: 29).

`flatten_deep_nesting` estimates the depth with a cheap, linear model of the
stack, and when it passes `MAX_DEPTH` rewrites the document so nothing can
nest: block tags become line breaks, inline tags disappear, and table
structure, paragraphs and void elements stay. The text and its headings
survive; the tree is flat. The model errs towards "deep": an end tag only
closes an element found near the top of the stack, and only through
elements that a parser would close too.

Each element also costs the reader a few microseconds after parsing (its line
markers, its line): `MAX_TAGS` bounds that. A real 8-K has a few thousand
tags (inline XBRL: tens of thousands) and its items come first.
"""

from __future__ import annotations

import itertools
import re

MAX_DEPTH = 256
"""Deeper than any real filing by a factor of eight; at this depth the worst
case a parser can be made to do is a fraction of a second per 2 MB."""

FEW_TAGS = 5_000
"""A document of fewer tags cannot nest deep enough to cost a parser more than a few
milliseconds (its stack walks are bounded by tags × depth): the model is skipped.
Most 8-Ks have fewer; inline XBRL has more and is modelled."""

MAX_TAGS = 100_000
"""Tags read per document; the rest of a document with more is dropped."""

_SEARCH = 8
"""An end tag closes an element among this many at the top of the stack; one
further down is left open (the model then over-counts, which is safe)."""

_VOID = (
    "area base basefont bgsound br col embed frame hr image img input keygen link meta param "
    "source track wbr"
)
_STRUCTURE = "p li dd dt option optgroup table thead tbody tfoot tr td th caption colgroup"
"""Elements that close their own kind (or live in tables, whose insertion modes keep
stack walks short): they cannot build a deep stack, so the model skips them."""
_TAG_RE = re.compile(r"<(/?)([A-Za-z][\w:-]{0,40})[^<>]{0,4000}?(/?)>")
_OPEN_RE = re.compile(r"<")
_RUN_RE = re.compile(r"(?:<(?:/?)[A-Za-z][\w:-]{0,40}[^<>]{0,4000}?>\s*)+")
"""Consecutive tags with nothing but white space between them."""
_BREAKS_RE = re.compile(r"(?:<br>\s*){2,}")
_NAME_RE = re.compile(r"</?([A-Za-z][\w:-]{0,40})")

_SKIPPED = frozenset(f"{_VOID} {_STRUCTURE}".split())
"""Not counted, and kept as they are in a flattened document."""
_FORMATTING = frozenset(str.split("a b big code em font i nobr s small strike strong tt u"))
"""Their end tags close them through other elements (HTML's adoption agency)."""
_PHRASING = _FORMATTING | frozenset(
    str.split(
        "abbr acronym bdi bdo cite data del dfn ins kbd mark q ruby samp span sub sup time var"
    )
)
"""Inline: a flattened document drops their tags and keeps their text on its line."""
_SPECIAL = frozenset(
    str.split(
        "address applet article aside blockquote body button center details dialog dir div dl "
        "fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup html iframe "
        "listing main marquee menu nav noembed noframes noscript object ol plaintext pre search "
        "section select summary template textarea ul xmp"
    )
)
"""HTML's "special" elements (less the skipped ones): an unmatched end tag of an
ordinary element stops at them."""


def nesting_depth(html: str, limit: int = MAX_DEPTH) -> int:
    """An estimate (erring high) of how deep elements nest; counting stops past `limit`."""
    stack: list[str] = []
    deepest = 0
    for closing, name, self_closing in _TAG_RE.findall(html):
        name = name.lower()
        if name in _SKIPPED or self_closing:
            continue
        if closing:
            _close(stack, name)
            continue
        stack.append(name)
        if len(stack) > deepest:
            deepest = len(stack)
            if deepest > limit:
                break
    return deepest


def _close(stack: list[str], name: str) -> None:
    """Pop down to `name` if it is near the top and nothing in between would stop a parser."""
    ordinary = name not in _SPECIAL and name not in _FORMATTING
    for depth in range(1, min(_SEARCH, len(stack)) + 1):
        current = stack[-depth]
        if current == name:
            del stack[-depth:]
            return
        if ordinary and current in _SPECIAL:
            return


def defuse_html(html: str) -> str:
    """`html` flattened if it nests deeper than `MAX_DEPTH`, then cut after `MAX_TAGS` tags."""
    return _cut_after_tags(flatten_deep_nesting(html), MAX_TAGS)


def _cut_after_tags(html: str, limit: int) -> str:
    if html.count("<") <= limit:
        return html
    beyond = next(itertools.islice(_OPEN_RE.finditer(html), limit, None), None)
    return html[: beyond.start()] if beyond else html


def flatten_deep_nesting(html: str, limit: int = MAX_DEPTH) -> str:
    """`html` itself, or, when it nests deeper than `limit`, the same text with nothing nested.

    Each run of tags between two pieces of text becomes one line break (or
    nothing, when all of them are inline), so 200,000 nested `<div>`s leave
    one `<br>` behind, not 200,000.
    """
    if html.count("<") <= FEW_TAGS or nesting_depth(html, limit) <= limit:
        return html
    return _RUN_RE.sub(_flat_run, html)


def _flat_run(match: re.Match[str]) -> str:
    run = match.group(0)
    names = set(map(str.lower, _NAME_RE.findall(run)))
    if names & _SKIPPED:  # keep structure, tag by tag, one break between kept tags
        return _BREAKS_RE.sub("<br>", _TAG_RE.sub(_flat_tag, run))
    return "" if names <= _PHRASING else "<br>"


def _flat_tag(match: re.Match[str]) -> str:
    name = match.group(2).lower()
    if name in _SKIPPED:
        return match.group(0)
    return "" if name in _PHRASING else "<br>"
