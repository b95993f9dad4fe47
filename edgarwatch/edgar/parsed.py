"""What parsing an 8-K yields (`ParsedFiling`), and the rule that merges the items declared by several sources."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from edgarwatch.filing import Company, Exhibit, Filing, FilingReport, Item
from edgarwatch.items import normalise_number, sort_key

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParsedFiling:
    """What one 8-K file says: EDGAR's declared items with their text, and more."""

    form: str | None = None
    accession: str | None = None
    filed: date | None = None
    accepted_at: datetime | None = None
    companies: tuple[Company, ...] = ()
    items: tuple[Item, ...] = ()
    """The items the filing reports, ordered as on the form."""
    document_only_items: tuple[Item, ...] = ()
    """Headings in the document that EDGAR's declared list does not name."""
    exhibits: tuple[Exhibit, ...] = ()
    primary_document: str | None = None
    declared: tuple[str, ...] = ()
    """The merged declared item numbers this parse was decided by."""
    truncated: bool = False
    cover_registrant: str | None = None
    """The registrant's name as the document's cover prints it."""
    period: date | None = None
    """The period of report (SEC header or index page)."""
    file_number: str | None = None
    """The Filer's SEC file number (SEC header or index page)."""
    preamble: str = ""
    """The document's text before its first item (cover, explanatory note), at most
    PREAMBLE_CHARS: where an 8-K/A says what it amends."""

    def item(self, number: str) -> Item | None:
        return next((item for item in self.items if item.number == number), None)

    def report(self, filing: Filing) -> FilingReport:
        """What the notifiers render: this parse attached to the filing it belongs to."""
        return FilingReport(
            filing=filing,
            items=self.items,
            exhibits=self.exhibits,
            document_only_items=self.document_only_items,
            preamble=self.preamble,
        )


def merge_declared(*sources: Iterable[str] | str) -> tuple[str, ...]:
    """Merge item lists from several EDGAR sources: normalised, deduplicated, form order.

    A source may be a list of numbers (`["1.01", "Item 9.01"]`) or the
    submissions JSON's comma-separated string (`"1.01,9.01"`, legacy
    `"12,7"`). Anything that is not an item number is skipped.
    """
    numbers: set[str] = set()
    for source in sources:
        values = source.split(",") if isinstance(source, str) else source
        for value in values:
            try:
                numbers.add(normalise_number(value))
            except ValueError:
                if value.strip():
                    logger.debug("not an item number: %r", value)
    return tuple(sorted(numbers, key=sort_key))
