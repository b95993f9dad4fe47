"""The domain: filings, the companies on them, their items and exhibits.

These are plain frozen values shared by every room: `edgar/` produces them,
`storage/` records them, `notifiers/` render them. Names follow the SEC's own
vocabulary (accession, CIK, item, exhibit, accepted).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from edgarwatch.agreement import Agreement

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
    """One company on a filing, in one role (Filer, Subject, Issuer, …).

    `role` None: unknown. Submissions JSON and full-text search name a filing's
    companies without saying which is the Filer; the feed, the index page and
    the SEC header do, and fix it later (roles are facts or unknown).
    """

    cik: int
    name: str
    role: str | None = "Filer"

    @property
    def is_filer(self) -> bool:
        return (self.role or "").lower().startswith("filer")


def merge_companies(companies: Iterable[Company]) -> tuple[Company, ...]:
    """Every (CIK, role) once; a company of unknown role is dropped where the same CIK
    is known in a role, and a name left empty by one source is taken from another."""
    listed = list(dict.fromkeys(companies))
    names = {c.cik: c.name for c in reversed(listed) if c.name}
    known = {c.cik for c in listed if c.role is not None}
    merged: dict[tuple[int, str | None], Company] = {}
    for company in listed:
        if company.role is None and company.cik in known:
            continue
        key = (company.cik, company.role)
        if key not in merged:
            merged[key] = replace(company, name=company.name or names.get(company.cik, ""))
    return tuple(merged.values())


@dataclass(frozen=True)
class Item:
    """One 8-K item: its number (`1.01`, or a legacy `5`), title and text.

    `agreements` are the deal terms read from the text of Items 1.01, 1.02,
    2.01 and 2.03 (`edgarwatch.edgar.agreements`); empty for every other item.
    """

    number: str
    title: str
    text: str | None = None
    agreements: tuple[Agreement, ...] = ()


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
    period: date | None = None
    """The period of report: the date of the earliest event reported (an 8-K/A's is
    usually its original's)."""
    file_number: str | None = None
    """The registrant's SEC file number (`000-17999`), where a source gives it."""

    @property
    def primary_company(self) -> Company:
        """The Filer when there is one (a Subject's filing is about it), else the first."""
        for company in self.companies:
            if company.is_filer:
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
class AmendedFiling:
    """The filing an 8-K/A amends: its accession, form and date, how it was found
    (`text`: the amendment's own words; `period`: the same file number and period of
    report), and its items when their text is recorded (for what changed)."""

    accession: str
    form: str = "8-K"
    filed: date | None = None
    how: str = "text"
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class FilingReport:
    """A filing with what its documents say: what is recorded, and what notifications show.

    `items` are the items the filing reports, with their text when the
    document has it; `document_only_items` are headings the document has that
    EDGAR's declared list does not name. `error` says why the documents could
    not be read in full (None: they were): the items are then EDGAR's
    declared ones, or what was read before giving up. `party_watch` names the
    watched parties (`watch.parties`) its agreements name, when the
    counterparty watch, not a watched company, is why it notifies.
    """

    filing: Filing
    items: tuple[Item, ...] = ()
    exhibits: tuple[Exhibit, ...] = ()
    document_only_items: tuple[Item, ...] = field(default=())
    error: str | None = None
    public_at: datetime | None = None
    """The filing's first public moment, where a document said (`Last-Modified`)."""
    party_watch: tuple[str, ...] = ()
    preamble: str = ""
    """What the document says before its first item (the cover and, in an amendment, the
    explanatory note that says what it amends); read, not recorded."""
    amends: AmendedFiling | None = None
    """An 8-K/A: the filing it amends, when it was found (`daemon/amendments.py`)."""

    def item(self, number: str) -> Item | None:
        for item in self.items:
            if item.number == number:
                return item
        return None

    @property
    def material_contracts(self) -> tuple[Exhibit, ...]:
        return tuple(exhibit for exhibit in self.exhibits if exhibit.is_material_contract)

    @property
    def agreements(self) -> tuple[Agreement, ...]:
        """Every agreement its items describe, in form order."""
        return tuple(a for item in self.items + self.document_only_items for a in item.agreements)


def merge(filings: Iterable[Filing]) -> list[Filing]:
    """One Filing per accession, in first-seen order: how every source merges its rows.

    EDGAR lists a filing once per company role (the feed's `(Filer)` and
    `(Subject)` entries, a master index's lines), and one filing can straddle
    two feed pages. The merged filing keeps every company (CIK, name, role)
    and every declared item; its form, URL, dates and size are the Filer's
    row's (else the first's, then any row's that has them); its acceptance
    time is the latest given.
    """
    groups: dict[str, list[Filing]] = {}
    for filing in filings:
        groups.setdefault(filing.accession, []).append(filing)
    return [_merged(group) for group in groups.values()]


def _merged(group: list[Filing]) -> Filing:
    if len(group) == 1:
        return group[0]
    base = next((f for f in group if _is_filer_row(f)), group[0])
    rows = [base, *(f for f in group if f is not base)]
    return replace(
        base,
        companies=merge_companies(c for f in group for c in f.companies),
        items=tuple(dict.fromkeys(n for f in group for n in f.items)),
        accepted_at=max((f.accepted_at for f in group if f.accepted_at), default=None),
        filed=next((f.filed for f in rows if f.filed), None),
        period=next((f.period for f in rows if f.period), None),
        file_number=next((f.file_number for f in rows if f.file_number), None),
        size=next((f.size for f in rows if f.size is not None), None),
        primary_document=next((f.primary_document for f in rows if f.primary_document), None),
    )


def _is_filer_row(filing: Filing) -> bool:
    return any(c.is_filer for c in filing.companies)
