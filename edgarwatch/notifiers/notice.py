"""What a notification says, channel-neutral: `Notice` and its items, deals and links."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from edgarwatch.filing import Company

MAX_DEALS = 5
"""Agreements shown per item; an item describing more says how many more."""
MAX_PARTIES = 12
"""Parties shown per agreement (a syndicated loan can name dozens of lenders)."""

LinkKind = Literal["index", "document", "agreement", "press_release"]


@dataclass(frozen=True)
class Link:
    """A link we built from EDGAR's data: our own label, the filer's description."""

    kind: LinkKind
    label: str
    url: str
    description: str = ""


@dataclass(frozen=True)
class DealView:
    """One agreement as shown: what was signed, with whom, for how much, where to read it.

    `parties` are (name, role) pairs, the name with the short name the filing
    gives it ("Società Italiana Corticosteroidi S.r.l (SICOR)"); `amounts` are
    `format_amount`'s ("EUR 5,000,000 purchase price"); `exhibit` is the link
    to the exhibit that files the agreement when the filing lists it, and
    `exhibit_type` its type ("EX-10.1") either way.
    """

    headline: str
    parties: tuple[tuple[str, str], ...] = ()
    amounts: tuple[str, ...] = ()
    exhibit_type: str = ""
    exhibit: Link | None = None
    more_parties: int = 0


@dataclass(frozen=True)
class ItemView:
    """One item as shown: cleaned title, text trimmed to the channel's budget, deal terms."""

    number: str
    title: str
    text: str = ""
    deals: tuple[DealView, ...] = ()
    more_deals: int = 0

    @property
    def label(self) -> str:
        """`Item 1.01 — Entry into a Material Definitive Agreement`."""
        return f"Item {self.number} — {self.title}" if self.title else f"Item {self.number}"


@dataclass(frozen=True)
class Notice:
    """Everything a channel needs to say about one filing, cleaned but not escaped."""

    company: str
    cik: int
    other_companies: tuple[Company, ...]
    form: str
    form_label: str
    accession: str
    accepted: str
    title: str
    subject: str
    triggered: tuple[ItemView, ...]
    other_items: tuple[ItemView, ...]
    links: tuple[Link, ...]
    filing_url: str
    rule: str
    delivery_id: str
    party_watch: tuple[str, ...] = ()
    """Watched party names that are why this filing notifies (`watch.parties`)."""
    amends: str = ""
    """An 8-K/A: `amends 8-K of 2007-05-04 (accession 0001104659-07-034567)`."""
    changes: tuple[tuple[str, str], ...] = ()
    """An 8-K/A: (item number, a short word diff) for each item it and its original
    both have text for."""

    @property
    def deals(self) -> tuple[DealView, ...]:
        """The agreements of the triggering items, in form order."""
        return tuple(deal for view in self.triggered for deal in view.deals)

    @property
    def headline(self) -> str:
        """What was signed, in one line: the first triggering agreement's; "" when none."""
        deals = self.deals
        return deals[0].headline if deals else ""
