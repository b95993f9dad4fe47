"""Text made safe and short for any channel: control and invisible characters out, spaces folded, limits kept; labels for forms, times and the subject line."""

from __future__ import annotations

import re
from datetime import datetime

from edgarwatch.filing import EASTERN, Filing
from edgarwatch.notifiers.notice import ItemView

ELLIPSIS = "…"
SUBJECT_LIMIT = 180
"""Subjects longer than this are trimmed: mail clients show ~80 characters and
RFC 5322 (2.1.1) recommends lines of at most 78; the item numbers come first."""

# C0/C1 controls except \t and \n, zero-width characters, bidi embeddings and
# isolates (Unicode TR #9): invisible, and able to reorder what a reader sees.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


# --------------------------------------------------------------------------- text


def clean_line(value: str | None) -> str:
    """One line of filer text: invisible characters gone, whitespace collapsed."""
    if not value:
        return ""
    return " ".join(_INVISIBLE.sub("", value.replace("\r", " ").replace("\n", " ")).split())


def clean_text(value: str | None) -> str:
    """Filer prose: invisible characters gone, paragraphs kept, spacing collapsed."""
    if not value:
        return ""
    text = _INVISIBLE.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def trim(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary, ending in "…".

    Cutting mid-word reads as a typo; cutting at the last space is only done
    when it keeps most of the budget (a 2,000-character URL has no spaces).
    """
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[:limit]
    cut = text[: limit - len(ELLIPSIS)]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space >= len(cut) * 0.6:
        cut = cut[:space]
    return cut.rstrip(" \n,;:-—") + ELLIPSIS


def form_label(form: str) -> str:
    """`8-K`, or `8-K/A (amendment)`: people skim past the "/A" otherwise."""
    form = clean_line(form)
    return f"{form} (amendment)" if form.upper().endswith("/A") else form


def accepted_label(filing: Filing) -> str:
    """`2007-05-04 16:05 ET` (EDGAR's clock), the filed date alone, or ""."""
    if filing.accepted_at is not None:
        return f"{as_eastern(filing.accepted_at):%Y-%m-%d %H:%M} ET"
    if filing.filed is not None:
        return filing.filed.isoformat()
    return ""


def as_eastern(moment: datetime) -> datetime:
    """An aware time in US Eastern; a naive one is taken to be EDGAR's own (Eastern)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=EASTERN)
    return moment.astimezone(EASTERN)


def subject(company: str, form_text: str, triggered: tuple[ItemView, ...]) -> str:
    """`IMMUNOGEN INC — 8-K Item 1.01: Entry into a Material Definitive Agreement`.

    Several items: `Items 1.01 and 2.03: <title>; <title>`, trimmed as a whole
    to SUBJECT_LIMIT so the numbers always survive.
    """
    line = f"{company} — {form_text}"
    if not triggered:
        return trim(line, SUBJECT_LIMIT)
    titles = "; ".join(view.title for view in triggered if view.title)
    line = f"{line} {item_numbers(triggered)}"
    return trim(f"{line}: {titles}", SUBJECT_LIMIT) if titles else trim(line, SUBJECT_LIMIT)


def item_numbers(views: tuple[ItemView, ...]) -> str:
    """`Item 1.01`, `Items 1.01 and 2.03`, `Items 1.01, 2.03, 3.02, 5.02 and 3 more`."""
    numbers = [view.number for view in views]
    if len(numbers) == 1:
        return f"Item {numbers[0]}"
    if len(numbers) > 5:
        numbers = [*numbers[:4], f"{len(numbers) - 4} more"]
    return f"Items {', '.join(numbers[:-1])} and {numbers[-1]}"
