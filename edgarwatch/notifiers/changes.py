"""What an amendment changed: the original it amends and a word diff of each item that changed."""

from __future__ import annotations

import difflib
from datetime import date

from edgarwatch.filing import FilingReport
from edgarwatch.notifiers.text import clean_line, clean_text, trim

# --------------------------------------------------------------------------- amendments

DIFF_LIMIT = 300
"""Characters of word diff per item: enough to see what changed, the link has the rest."""
REWRITTEN_BELOW = 0.35
"""Texts less alike than this (difflib's ratio) are said to be rewritten, not diffed."""


def amends_text(accession: str, filed: date | None, form: str = "8-K") -> str:
    """`amends 8-K of 2007-05-04 (accession 0001104659-07-034567)`."""
    when = f" of {filed.isoformat()}" if filed else ""
    return f"amends {clean_line(form) or '8-K'}{when} (accession {accession})"


def amends_line(report: FilingReport) -> str:
    amended = report.amends
    return amends_text(amended.accession, amended.filed, amended.form) if amended else ""


def changes(report: FilingReport) -> tuple[tuple[str, str], ...]:
    """What changed in each item the amendment and its original both have text for."""
    amended = report.amends
    if amended is None:
        return ()
    before = {item.number: clean_text(item.text) for item in amended.items if item.text}
    found = []
    for item in report.items:
        old, new = before.get(item.number), clean_text(item.text)
        if old and new:
            found.append((item.number, word_diff(old, new)))
    return tuple(found)


def word_diff(old: str, new: str, limit: int = DIFF_LIMIT) -> str:
    """A short word diff: `will pay [− five] [+ six] million Euros …`, two words of context
    around each change, trimmed to `limit`; "no change to the text", or "rewritten (…)"
    when the texts have too little in common for a diff to say anything."""
    a, b = old.split(), new.split()
    if a == b:
        return "no change to the text"
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    if matcher.ratio() < REWRITTEN_BELOW:
        return f"rewritten ({len(a)} words before, {len(b)} now)"
    parts = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        words = a[max(0, i1 - 2) : i1]
        if tag in ("replace", "delete"):
            words.append(f"[− {' '.join(a[i1:i2])}]")
        if tag in ("replace", "insert"):
            words.append(f"[+ {' '.join(b[j1:j2])}]")
        words += a[i2 : i2 + 2]
        parts.append(" ".join(words))
    return trim(" … ".join(parts), limit)
