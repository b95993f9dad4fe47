"""What an 8-K/A says it amends, in its own words.

An amendment names its original in an explanatory note or in the item text,
in a handful of phrasings:

* "This Amendment No. 1 amends the Current Report on Form 8-K of Northwind
  Biologics, Inc. filed on November 19, 2026 …"
* "… is filing this Amendment No. 1 to its Current Report on Form 8-K, filed
  with the Securities and Exchange Commission on May 4, 2007 (the "Original
  Form 8-K") …"
* "… to amend the Current Report on Form 8-K originally filed on March 3, 2020"
* "… amends the Current Report on Form 8-K dated April 30, 2007" (dated: the
  date of the report, i.e. of the earliest event — the period of report)
* "On May 4, 2007, the Company filed a Current Report on Form 8-K (the
  "Original Report"). This Amendment No. 1 amends the Original Report …"

`amended_reference` finds the first sentence that mentions a Form 8-K (not an
8-K/A) and an amendment ("amend", "Amendment No.") — in itself or in the
sentence after it — and reads from it the date the original was *filed* and
the date it is *dated*. The next sentence counts only after one that defines
the original ("(the "Original Report")"). A sentence that
merely refers to some earlier 8-K ("as previously reported in our Current
Report on Form 8-K filed on …") without amending it is not taken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from edgarwatch.edgar.dates import DATE, parse_date

MAX_TEXT = 20_000
"""Only the start of the text is read: the reference is in the opening note or sentence."""

_FORM_RE = re.compile(r"\b(?:Form|Report)\s+8-K\b(?!\s*/\s*A)", re.IGNORECASE)
_ORIGINAL_RE = re.compile(r"\bOriginal\s+(?:Form\s+8-K|Report|8-K|Filing)\b", re.IGNORECASE)
"""The defined term an amendment may refer back with ("the Original Report")."""
_AMEND_RE = re.compile(r"\bamend(?:s|ed|ing|ment)?\b", re.IGNORECASE)
_FILED_RE = re.compile(
    rf"\b(?:originally\s+)?filed\b(?:[^;]{{0,160}}?\bon\b|)\s*(?:or about\s+)?{DATE}",
    re.IGNORECASE,
)
_ON_DATE_FILED_RE = re.compile(rf"\bOn\s+{DATE},?[^;]{{0,120}}?\bfiled\b", re.IGNORECASE)
_DATED_RE = re.compile(rf"\bdated\s+(?:as\s+of\s+)?{DATE}", re.IGNORECASE)
_SENTENCE_END_RE = re.compile(r"(?<![A-Z][a-z])(?<!\b[A-Z])(?<!\bNo)[.;](?=\s+[A-Z(\"“]|\s*$)|\n")


@dataclass(frozen=True)
class AmendedReference:
    """What the amendment says of its original: when it was filed, and the date of the
    report (either may be missing), and the sentence that says so."""

    filed: date | None
    dated: date | None
    sentence: str


def amended_reference(*texts: str) -> AmendedReference | None:
    """The reference to the amended 8-K in `texts` (the preamble, then each item's text)."""
    for text in texts:
        found = _in_text(text[:MAX_TEXT])
        if found is not None:
            return found
    return None


def _in_text(text: str) -> AmendedReference | None:
    for anchor in _FORM_RE.finditer(text):
        start, end = _sentence(text, anchor.start(), anchor.end())
        sentence = text[start:end]
        defines = _ORIGINAL_RE.search(sentence) and _AMEND_RE.search(text[end : end + 300])
        if not _AMEND_RE.search(sentence) and not defines:
            continue
        after = text[anchor.end() : end]
        filed = _first_date(_FILED_RE, after) or _first_date(
            _ON_DATE_FILED_RE, text[start : anchor.start()]
        )
        dated = _first_date(_DATED_RE, after)
        if filed or dated:
            return AmendedReference(filed, dated, " ".join(sentence.split()))
    return None


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the sentence holding text[start:end] (at most 600 characters)."""
    before = text[max(0, start - 400) : start]
    stops = list(_SENTENCE_END_RE.finditer(before))
    begin = max(0, start - 400) + (stops[-1].end() if stops else 0)
    stop = _SENTENCE_END_RE.search(text, end, min(len(text), end + 600))
    return begin, stop.start() if stop else min(len(text), end + 600)


def _first_date(pattern: re.Pattern[str], text: str) -> date | None:
    for match in pattern.finditer(text):
        found = parse_date(match)
        if found is not None:
            return found
    return None


__all__ = ["AmendedReference", "amended_reference"]
