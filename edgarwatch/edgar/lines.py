"""What every line of an 8-K's text is held to: size limits, one space between
words, no invisible characters; and the lines that end an 8-K's items (the
signature block) or say an item has nothing to report.
"""

from __future__ import annotations

import re

MAX_DOCUMENT_CHARS = 16_000_000
"""Primary documents past this size are cut: the largest real 8-K bodies are
a few MB (inline XBRL with embedded images); items are at the start."""

MAX_LINE_CHARS = 20_000
"""A line longer than this is cut before any regex sees it."""
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def normalise_space(text: str) -> str:
    """One space between words: tabs, newlines and `&nbsp;` go (see `drop_invisible`)."""
    return " ".join(text.split())[:MAX_LINE_CHARS]


_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def drop_invisible(text: str) -> str:
    """Zero-width spaces, BOMs and soft hyphens split words without showing.

    `str.translate` with a mapping visits every character in Python's slow
    path; most documents hold none of these, which one regex search tells."""
    return text.translate(_INVISIBLE) if _INVISIBLE_RE.search(text) else text


_SIGNATURE_RE = re.compile(
    r"^(?:s ?i ?g ?n ?a ?t ?u ?r ?e ?s?|signatures? page|exhibit index and signatures?)\s*[.:]?$",
    re.IGNORECASE,
)
_SIGNATURE_SENTENCE_RE = re.compile(
    r"^(?:signatures?\s*[.:]?\s*)?pursuant to the requirements? of (?:the )?"
    r"(?:securities (?:and )?exchange act|section 13|exchange act)",
    re.IGNORECASE,
)
NOT_APPLICABLE_RE = re.compile(
    r"^(?:not applicable|none|n/?a|inapplicable|omitted|reserved)\.?$", re.IGNORECASE
)


def is_signature_line(line: str) -> bool:
    return bool(_SIGNATURE_RE.match(line) or _SIGNATURE_SENTENCE_RE.match(line))
