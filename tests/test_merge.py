"""One merge rule for every source: a filing's rows become one Filing per accession."""

from __future__ import annotations

from datetime import date, datetime

from edgarwatch.filing import EASTERN, Company, Filing, merge

ACCESSION = "0001193125-26-000042"
URL = "https://www.sec.gov/Archives/edgar/data/6000001/000119312526000042/x-index.htm"


def row(company: Company, items: tuple[str, ...], minute: int, **more: object) -> Filing:
    return Filing(
        accession=ACCESSION,
        form="8-K",
        companies=(company,),
        url=URL,
        accepted_at=datetime(2026, 1, 5, 16, minute, tzinfo=EASTERN),
        items=items,
        **more,  # type: ignore[arg-type]
    )


def test_it_keeps_every_company_and_item_and_takes_the_filers_fields() -> None:
    subject = row(Company(855654, "IMMUNOGEN INC", "Subject"), ("1.01",), 5, size=10)
    filer = row(Company(6000001, "ACQUIRER PLC", "Filer"), ("9.01",), 4, filed=date(2026, 1, 5))
    other = Filing("0000320193-26-000001", "8-K", (Company(320193, "Apple Inc."),), URL)
    merged = merge([subject, other, filer])
    assert [f.accession for f in merged] == [ACCESSION, other.accession]
    one = merged[0]
    assert one.companies == subject.companies + filer.companies
    assert one.items == ("1.01", "9.01")
    assert one.cik == 6000001  # the Filer
    assert one.accepted_at == subject.accepted_at  # the latest given
    assert (one.filed, one.size) == (date(2026, 1, 5), 10)
    assert merge([other]) == [other]
