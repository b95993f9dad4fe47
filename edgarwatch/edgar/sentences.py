"""An item's text cut into sentences, as character spans (for evidence).

A full stop ends a sentence unless it ends an abbreviation that company and
people's names are full of ("Inc.", "Co.", "N.A.", "Mr.", "P." in "Richard P.
Jacobson"); a line break always does (the parser gives one paragraph or
table row per line).
"""

from __future__ import annotations

import re

from edgarwatch.agreement import Span

_BOUNDARY_RE = re.compile(r"(?<=[.!?])[”\"’)]?\s+(?=[A-Z“\"(●•])|\n")
_ABBREVIATION_RE = re.compile(
    r"(?:\b(?:Inc|Corp|Co|Ltd|No|Nos|Mr|Mrs|Ms|Dr|Jr|Sr|St|vs|Bros|Ltda|Pty|approx|Messrs|Prof)"
    r"|\b[A-Z]|(?:[A-Z]\.){1,3}[A-Z]|\bU\.S|\bS\.A|\bN\.A|\bL\.P|\bS\.r\.l|\bS\.p\.A)\.[”\"’)]?$"
)
_TAIL_CHARS = 12


def sentence_spans(text: str) -> list[Span]:
    """`[start, end)` of each sentence of `text`, in order, blank ones left out."""
    spans: list[Span] = []
    start = 0
    for boundary in _BOUNDARY_RE.finditer(text):
        if boundary.group() != "\n" and _ABBREVIATION_RE.search(
            text, max(start, boundary.start() - _TAIL_CHARS), boundary.start()
        ):
            continue
        spans.append((start, boundary.start()))
        start = boundary.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]
