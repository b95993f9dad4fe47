"""The filings a replay can publish, and the fixtures shipped in the package.

A fixture filing is a folder `fixtures/filings/<accession>/` holding
`filing.json` (form, companies, items, documents) and the documents
themselves, written in the formats EDGAR serves (a 2007 Donnelley-style
8-K in HTML, an EX-10 agreement, …). The replay renders everything else —
feed entries, the index page, the complete submission, submissions JSON,
the daily index — from that metadata, in EDGAR's exact shapes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from edgarwatch.filing import EASTERN, normalise_accession


@dataclass(frozen=True)
class ReplayCompany:
    cik: int
    name: str
    role: str = "Filer"
    sic: str = ""
    sic_description: str = ""
    state: str = ""
    fiscal_year_end: str = "1231"
    file_number: str = ""
    ticker: str | None = None
    business_location: str = ""
    """"City, ST" of the business address (EFTS `biz_locations`/`biz_states`)."""


@dataclass(frozen=True)
class ReplayDocument:
    sequence: int
    type: str
    filename: str
    description: str
    content: bytes


@dataclass(frozen=True)
class ReplayFiling:
    accession: str
    form: str
    companies: tuple[ReplayCompany, ...]
    items: tuple[str, ...]
    documents: tuple[ReplayDocument, ...]
    period: date | None = None
    accepted_at: datetime | None = None
    """Set when published: the moment EDGAR accepted it."""
    items_in_feed: bool = True
    """False hides the summary's item lines (a filing whose feed entry lost them)."""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    visible_at: datetime | None = None
    """First moment it is on the getcurrent feed (after-hours 8-Ks: the next morning)."""
    public_at: datetime | None = None
    """First moment its index page, documents, `.txt` and submissions JSON row exist."""
    filing_date: date | None = None
    """EDGAR's date for it: the next business day when accepted after 17:30 ET."""

    @property
    def filer(self) -> ReplayCompany:
        return self.companies[0]

    @property
    def folder(self) -> str:
        return f"/Archives/edgar/data/{self.filer.cik}/{self.accession.replace('-', '')}/"

    @property
    def filed(self) -> date | None:
        if self.filing_date is not None:
            return self.filing_date
        return self.accepted_at.astimezone(EASTERN).date() if self.accepted_at else None

    def published(
        self,
        at: datetime,
        *,
        visible_at: datetime | None = None,
        public_at: datetime | None = None,
        filing_date: date | None = None,
    ) -> ReplayFiling:
        """This filing accepted `at` (seconds precision), on the feed from `visible_at`
        and at its paths from `public_at` (both default to `at`)."""
        accepted = at.astimezone(EASTERN).replace(microsecond=0)
        visible = max(accepted, visible_at.astimezone(EASTERN)) if visible_at else accepted
        public = min(visible, public_at.astimezone(EASTERN)) if public_at else accepted
        return replace(
            self,
            accepted_at=accepted,
            visible_at=visible,
            public_at=max(accepted, public),
            filing_date=filing_date,
        )

    def document(self, filename: str) -> ReplayDocument | None:
        return next((d for d in self.documents if d.filename == filename), None)


def load_filing(folder: Path | Any) -> ReplayFiling:
    """Read one fixture folder (a Path or an importlib Traversable)."""
    meta = json.loads((folder / "filing.json").read_text(encoding="utf-8"))
    documents = tuple(
        ReplayDocument(
            sequence=int(doc["sequence"]),
            type=doc["type"],
            filename=doc["filename"],
            description=doc.get("description", ""),
            content=(folder / doc["filename"]).read_bytes(),
        )
        for doc in meta["documents"]
    )
    return ReplayFiling(
        accession=normalise_accession(meta["accession"]),
        form=meta["form"],
        companies=tuple(ReplayCompany(**c) for c in meta["companies"]),
        items=tuple(meta.get("items", ())),
        documents=documents,
        period=date.fromisoformat(meta["period"]) if meta.get("period") else None,
        accepted_at=datetime.fromisoformat(meta["accepted_at"])
        if meta.get("accepted_at")
        else None,
        extra={k: v for k, v in meta.items() if k.startswith("demo_")},
    )


def builtin_filings() -> list[ReplayFiling]:
    """The fixtures that ship with edgarwatch (the seed filing among them)."""
    root = resources.files("edgarwatch.replay") / "fixtures" / "filings"
    folders = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.name)
    return [load_filing(folder) for folder in folders]


def builtin_tickers() -> bytes:
    return (resources.files("edgarwatch.replay") / "fixtures" / "company_tickers.json").read_bytes()
