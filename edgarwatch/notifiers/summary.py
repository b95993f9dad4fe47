"""A burst coalesced: many due notifications of one channel said in one message.

When more than a channel's `coalesce_above` notifications are due at once
(50 filings in the minutes after EDGAR's 06:00 release, a back-fill with
`--notify`, a channel that was down for an hour), sending them one by one at
the service's pace takes minutes and buries the channel; the dispatcher sends
them instead as summaries of up to the channel's `summary_capacity` filings
each, listing every filing (company, form, items, accepted time, links to the
filing index and its first material contract). Every row a summary lists is
marked sent when the channel accepts that summary, so at-least-once holds:
nothing is marked that was not in an accepted message.

`render_summary` cleans every filer string as `render` does (no escaping: that
is the channel's); a channel fits the lines to its own limits.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from edgarwatch.filing import FilingReport
from edgarwatch.notifiers.base import Delivery
from edgarwatch.notifiers.notice import Link
from edgarwatch.notifiers.render import render


@dataclass(frozen=True)
class Burst:
    """Due notifications of one channel to be said in one message, oldest first."""

    channel: str
    entries: tuple[tuple[FilingReport, Delivery], ...]

    @property
    def id(self) -> str:
        """The same for the same rows on every retry (receivers can drop repeats)."""
        ids = "\n".join(sorted(delivery.id for _, delivery in self.entries))
        return "summary-" + hashlib.sha256(ids.encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True)
class SummaryLine:
    """One filing in a summary: cleaned, not escaped."""

    company: str
    cik: int
    form_label: str
    items: tuple[str, ...]
    item_labels: str
    accepted: str
    accession: str
    filing_url: str
    agreement: Link | None
    rule: str

    @property
    def headline(self) -> str:
        """`IMMUNOGEN INC — 8-K Item 1.01`."""
        return f"{self.company} — {self.form_label} {self.item_labels}"

    @property
    def text(self) -> str:
        """One plain line: headline, acceptance time, accession."""
        accepted = f", accepted {self.accepted}" if self.accepted else ""
        return f"{self.headline}{accepted} ({self.accession})"


@dataclass(frozen=True)
class SummaryNotice:
    """What a summary says: a title and one line per notification."""

    title: str
    lines: tuple[SummaryLine, ...]
    rules: tuple[str, ...]
    delivery_id: str

    @property
    def footer(self) -> str:
        rules = ", ".join(self.rules)
        return (
            f"edgarwatch · {len(self.lines)} notifications due at once, sent as one message "
            f"· rule {rules} · delivery {self.delivery_id}"
        )


def render_summary(burst: Burst) -> SummaryNotice:
    """The summary of a burst; no item text (the per-filing messages carry it)."""
    lines = tuple(_line(report, delivery) for report, delivery in burst.entries)
    numbers = sorted({n for line in lines for n in line.items}, key=_number_key)
    noun = "Item" if len(numbers) == 1 else "Items"
    title = f"{len(lines)} new filings: {noun} {', '.join(numbers)}".strip()
    rules = tuple(dict.fromkeys(line.rule for line in lines))
    return SummaryNotice(title=title, lines=lines, rules=rules, delivery_id=burst.id)


def _line(report: FilingReport, delivery: Delivery) -> SummaryLine:
    notice = render(report, delivery, text_limit=0)
    labels = notice.title.removeprefix(notice.company).removeprefix(" — ")
    agreement = next((link for link in notice.links if link.kind == "agreement"), None)
    return SummaryLine(
        company=notice.company,
        cik=notice.cik,
        form_label=notice.form_label,
        items=tuple(view.number for view in notice.triggered),
        item_labels=labels.removeprefix(notice.form_label).strip(),
        accepted=notice.accepted,
        accession=notice.accession,
        filing_url=notice.filing_url,
        agreement=agreement,
        rule=notice.rule,
    )


def _number_key(number: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 999 for part in number.split("."))
