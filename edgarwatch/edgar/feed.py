"""The "Latest Filings" Atom feed (getcurrent): the fast tier's one request per poll.

Shape (see the corpus README): one `<entry>` per (filing, role) — the same
accession appears as `(Filer)`, again as `(Subject)`, … — titled
`8-K - COMPANY NAME (0000855654) (Filer)`, with the acceptance time (Eastern
offset) in `<updated>`, the accession in `<id>`, and in the HTML `<summary>`
the filing date, size and one `Item N.NN: title` line per reported item.
Entries are merged by accession keeping every CIK: a watched company can be
the Subject of a filing whose first CIK is someone else.

A hostile or broken entry is logged and skipped; the rest of the page counts.
"""

from __future__ import annotations

import logging
import re
import xml.parsers.expat
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import feedparser

from edgarwatch.edgar.paths import ForeignURLError, Rebaser
from edgarwatch.filing import Company, Filing, merge, normalise_accession
from edgarwatch.items import is_item_number

logger = logging.getLogger(__name__)

_TITLE_RE = re.compile(
    r"^(?P<form>\S.*?)\s+-\s+(?P<name>.*?)\s*\((?P<cik>\d{1,10})\)\s*\((?P<role>[^()]*)\)\s*$"
)
_ACCESSION_RE = re.compile(r"accession-number=(\d{10}-\d{2}-\d{6})")
_ITEM_RE = re.compile(r"Item\s+(\d{1,2}(?:\.\d{2})?)\s*:", re.I)
_FILED_RE = re.compile(r"Filed:\s*(?:</b>)?\s*(\d{4}-\d{2}-\d{2})", re.I)
_SIZE_RE = re.compile(r"Size:\s*(?:</b>)?\s*(\d+(?:\.\d+)?)\s*(KB|MB|GB|B)\b", re.I)
_SIZE_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}
_OLDEST = datetime.min.replace(tzinfo=UTC)

LOOSE_PARSE_MAX_BYTES = 128 * 1024
"""feedparser reads XML that is not well-formed with a forgiving SGML parser that
costs seconds per MB. EDGAR's pages (about 60 KB, always well-formed) still get
that forgiveness; a larger page that is not even well-formed is not the feed."""
MAX_FEED_ELEMENTS = 10_000
"""feedparser spends ~20 µs per element; a getcurrent page of 100 entries has
about 800. Far more is not a page of the feed, and would cost seconds."""
MAX_SKIP_WARNINGS = 5
"""Skipped entries logged one by one per page; the rest are counted in one line."""


@dataclass(frozen=True)
class FeedEntry:
    """One `<entry>`: one company's role on one filing."""

    accession: str
    form: str
    company: Company
    url: str
    accepted_at: datetime
    filed: date | None = None
    items: tuple[str, ...] = ()
    size: int | None = None

    @property
    def filing(self) -> Filing:
        """The filing as this one entry (one company's role) shows it."""
        return Filing(
            accession=self.accession,
            form=self.form,
            companies=(self.company,),
            url=self.url,
            accepted_at=self.accepted_at,
            filed=self.filed,
            items=self.items,
            size=self.size,
        )


@dataclass(frozen=True)
class FeedPage:
    """A parsed page: its entries (in feed order) and how many `<entry>` it held."""

    entries: tuple[FeedEntry, ...]
    entry_count: int
    skipped: int = 0
    filings: tuple[Filing, ...] = field(default=())

    @property
    def oldest_accepted_at(self) -> datetime | None:
        return min((e.accepted_at for e in self.entries), default=None)


def parse_feed(data: bytes, rebaser: Rebaser) -> FeedPage:
    """Parse one getcurrent page into entries and accession-merged filings."""
    _check_shape(data)
    parsed: Any = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    if not str(parsed.get("version", "")).startswith("atom"):
        # feedparser reads an HTML page (a maintenance notice served with 200) as an
        # empty feed; "nothing new" is the one answer it must not be mistaken for.
        problem = parsed.get("bozo_exception") or "no <feed> element"
        raise ValueError(f"not an Atom feed: {problem}")
    entries: list[FeedEntry] = []
    skipped = 0
    for raw in parsed.entries:
        try:
            entries.append(_entry(raw, rebaser))
        except (ValueError, KeyError, ForeignURLError) as exc:
            skipped += 1
            if skipped <= MAX_SKIP_WARNINGS:
                logger.warning("skipping a feed entry that is not a filing: %s", str(exc)[:200])
    if skipped > MAX_SKIP_WARNINGS:
        logger.warning("skipped %d feed entries in all that are not filings", skipped)
    return FeedPage(tuple(entries), len(parsed.entries), skipped, merge_entries(entries))


class _TooManyElements(Exception):
    pass


def _check_shape(data: bytes) -> None:
    """Refuse, at C speed (expat, no DTD fetching), what would cost feedparser seconds:
    too many elements, or a large page that is not well-formed XML."""
    parser = xml.parsers.expat.ParserCreate()
    count = 0

    def element(name: str, attributes: object) -> None:
        nonlocal count
        count += 1
        if count > MAX_FEED_ELEMENTS:
            raise _TooManyElements

    parser.StartElementHandler = element
    try:
        parser.Parse(data, True)
    except _TooManyElements:
        raise ValueError(f"not an Atom feed page: over {MAX_FEED_ELEMENTS} elements") from None
    except (xml.parsers.expat.ExpatError, LookupError, ValueError) as exc:  # or an unknown encoding
        if len(data) > LOOSE_PARSE_MAX_BYTES:
            raise ValueError(f"not an Atom feed: {exc}") from None


def _entry(raw: Any, rebaser: Rebaser) -> FeedEntry:
    title = str(raw.get("title", ""))
    match = _TITLE_RE.match(title)
    if not match:
        raise ValueError(f"unexpected entry title {title[:120]!r}")
    id_match = _ACCESSION_RE.search(str(raw.get("id", ""))) or _ACCESSION_RE.search(
        str(raw.get("summary", ""))
    )
    if not id_match:
        raise ValueError(f"entry {title[:80]!r} has no accession number")
    updated = str(raw.get("updated", ""))
    try:
        accepted_at = datetime.fromisoformat(updated)
    except ValueError:
        raise ValueError(
            f"entry {title[:80]!r} has no acceptance time ({updated[:40]!r})"
        ) from None
    if accepted_at.tzinfo is None:
        raise ValueError(f"entry {title[:80]!r}: acceptance time without offset {updated!r}")
    summary = str(raw.get("summary", ""))
    company = Company(
        cik=int(match["cik"]), name=_clean(match["name"]), role=match["role"].strip() or "Filer"
    )
    if company.cik == 0:
        raise ValueError(f"entry {title[:80]!r} has CIK 0")
    return FeedEntry(
        accession=normalise_accession(id_match.group(1)),
        form=_form(raw, match["form"]),
        company=company,
        url=rebaser.url(str(raw.get("link", ""))),
        accepted_at=accepted_at,
        filed=_filed(summary),
        items=tuple(n for n in dict.fromkeys(_ITEM_RE.findall(summary)) if is_item_number(n)),
        size=_size(summary),
    )


def _form(raw: Any, from_title: str) -> str:
    """The category term is the form; the title's prefix is the fallback."""
    for tag in raw.get("tags") or ():
        term = str(tag.get("term") or "").strip()
        if term and tag.get("label") == "form type":
            return term
    return from_title.strip()


def _clean(name: str) -> str:
    return " ".join(name.split())


def _filed(summary: str) -> date | None:
    match = _FILED_RE.search(summary)
    try:
        return date.fromisoformat(match.group(1)) if match else None
    except ValueError:
        return None


def _size(summary: str) -> int | None:
    match = _SIZE_RE.search(summary)
    if not match:
        return None
    return int(float(match.group(1)) * _SIZE_UNITS[match.group(2).upper()])


def merge_entries(entries: list[FeedEntry]) -> tuple[Filing, ...]:
    """One Filing per accession, every (CIK, name, role) kept, newest first."""
    filings = merge(entry.filing for entry in entries)
    filings.sort(key=lambda f: f.accepted_at or _OLDEST, reverse=True)
    return tuple(filings)
