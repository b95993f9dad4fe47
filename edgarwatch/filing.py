"""The domain: filings, the companies on them, their items and exhibits.

These are plain frozen values shared by every room: `edgar/` produces them,
`storage/` records them, `notifiers/` render them. Names follow the SEC's own
vocabulary (accession, CIK, item, exhibit, accepted).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")
"""EDGAR keeps every time in US Eastern (acceptance times, filing hours)."""

ACCESSION_RE = re.compile(r"^\d{10}-\d{2}-\d{6}$")

AMENDMENT_SUFFIX = "/A"
_MATERIAL_CONTRACT_RE = re.compile(r"^EX-10(?:\.|$|[^0-9])", re.IGNORECASE)
_PRESS_RELEASE_RE = re.compile(r"^EX-99(?:\.|$|[^0-9])", re.IGNORECASE)


def normalise_accession(value: str) -> str:
    """Return `0001104659-07-035757` for that number with or without dashes.

    Raises ValueError for anything that is not an accession number.
    """
    digits = re.sub(r"\D", "", value)
    if len(digits) != 18:
        raise ValueError(f"not an accession number: {value!r}")
    return f"{digits[:10]}-{digits[10:12]}-{digits[12:]}"


@dataclass(frozen=True)
class Company:
    """One company on a filing, in one role (Filer, Subject, Issuer, …)."""

    cik: int
    name: str
    role: str = "Filer"


@dataclass(frozen=True)
class Item:
    """One 8-K item: its number (`1.01`, or a legacy `5`), title and text."""

    number: str
    title: str
    text: str | None = None


@dataclass(frozen=True)
class Exhibit:
    """One document of a filing, as the filing index lists it."""

    type: str
    document: str
    url: str
    description: str = ""
    sequence: int | None = None
    size: int | None = None

    @property
    def is_material_contract(self) -> bool:
        """EX-10, EX-10.1, EX-10.2A: the material contracts (Reg S-K Item 601(b)(10)).

        Not EX-101.SCH and friends: those are XBRL files (Item 601(b)(101)).
        """
        return bool(_MATERIAL_CONTRACT_RE.match(self.type.strip()))

    @property
    def is_press_release(self) -> bool:
        """EX-99, EX-99.1: additional exhibits, in 8-Ks nearly always the press release."""
        return bool(_PRESS_RELEASE_RE.match(self.type.strip()))


@dataclass(frozen=True)
class Filing:
    """A filing as discovered on EDGAR, before or after its documents are read.

    `items` are the item numbers the filer declared (feed summary, submissions
    JSON, index page or SEC header): EDGAR's list is authoritative for *which*
    items a filing reports. `url` is the filing index page, on the configured
    host.
    """

    accession: str
    form: str
    companies: tuple[Company, ...]
    url: str
    accepted_at: datetime | None = None
    filed: date | None = None
    items: tuple[str, ...] = ()
    size: int | None = None
    primary_document: str | None = None

    @property
    def primary_company(self) -> Company:
        """The Filer when there is one (a Subject's filing is about it), else the first."""
        for company in self.companies:
            if company.role.lower().startswith("filer"):
                return company
        return self.companies[0]

    @property
    def cik(self) -> int:
        return self.primary_company.cik

    @property
    def company(self) -> str:
        return self.primary_company.name

    @property
    def ciks(self) -> frozenset[int]:
        return frozenset(company.cik for company in self.companies)

    @property
    def is_amendment(self) -> bool:
        return self.form.upper().endswith(AMENDMENT_SUFFIX)


@dataclass(frozen=True)
class FilingReport:
    """Everything a notification says about one filing: what was recorded."""

    filing: Filing
    items: tuple[Item, ...] = ()
    exhibits: tuple[Exhibit, ...] = ()
    document_only_items: tuple[Item, ...] = field(default=())

    def item(self, number: str) -> Item | None:
        for item in self.items:
            if item.number == number:
                return item
        return None

    @property
    def material_contracts(self) -> tuple[Exhibit, ...]:
        return tuple(exhibit for exhibit in self.exhibits if exhibit.is_material_contract)

    @property
    def press_releases(self) -> tuple[Exhibit, ...]:
        return tuple(exhibit for exhibit in self.exhibits if exhibit.is_press_release)


@dataclass(frozen=True)
class Enrichment:
    """What reading a filing's documents added to it."""

    items: tuple[Item, ...]
    undeclared_items: tuple[Item, ...] = ()
    exhibits: tuple[Exhibit, ...] = ()
    companies: tuple[Company, ...] = ()
    accepted_at: datetime | None = None
    primary_document: str | None = None
    status: str = "done"  # done | partial (documents unreadable; declared items only)
    error: str | None = None
