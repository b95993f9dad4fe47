"""The filing index page: EDGAR's own summary of a filing."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from edgarwatch.edgar.index_page import (
    parse_index_page,
    rebase_url,
)
from edgarwatch.filing import EASTERN, Company

INDEX = Path(__file__).parent / "fixtures" / "index"
MIRROR = "http://127.0.0.1:8765"


@pytest.fixture
def page_2022():  # type: ignore[no-untyped-def]
    return parse_index_page((INDEX / "0001234567-22-000051-index.htm").read_bytes(), MIRROR)


def test_it_reads_the_filing_header(page_2022) -> None:  # type: ignore[no-untyped-def]
    assert page_2022.form == "8-K"
    assert page_2022.accession == "0001234567-22-000051"
    assert page_2022.filed == date(2022, 3, 9)
    assert page_2022.period == date(2022, 3, 7)


def test_it_reads_accepted_as_eastern_time(page_2022) -> None:  # type: ignore[no-untyped-def]
    assert page_2022.accepted_at == datetime(2022, 3, 9, 16, 5, 11, tzinfo=EASTERN)
    assert page_2022.accepted_at.isoformat() == "2022-03-09T16:05:11-05:00"


def test_it_reads_the_items_block(page_2022) -> None:  # type: ignore[no-untyped-def]
    assert page_2022.items == ("1.01", "7.01", "9.01")


def test_it_keeps_legacy_item_numbers() -> None:
    page = parse_index_page((INDEX / "0000950131-97-001234-index.htm").read_bytes(), MIRROR)

    assert page.items == ("2", "7")
    assert page.filed == date(1997, 3, 14)


def test_it_lists_documents_with_their_type_description_and_size(page_2022) -> None:  # type: ignore[no-untyped-def]
    rows = [(d.sequence, d.type, d.document, d.description, d.size) for d in page_2022.documents]

    assert rows[:5] == [
        (1, "8-K", "ashf-20220307.htm", "8-K", 36524),
        (2, "EX-1.1", "ex1-1.htm", "UNDERWRITING AGREEMENT", 171327),
        (3, "EX-10.1", "ex10-1.htm", "CREDIT AGREEMENT", 402211),
        (4, "EX-99.1", "ex99-1.htm", "PRESS RELEASE DATED MARCH 9, 2022", 12875),
        (9, "GRAPHIC", "image_001.jpg", "", 5338),
    ]
    assert rows[-1] == (
        10,
        "XML",
        "ashf-20220307_htm.xml",
        "EXTRACTED XBRL INSTANCE DOCUMENT",
        3561,
    )


def test_it_keeps_the_complete_submission_apart(page_2022) -> None:  # type: ignore[no-untyped-def]
    assert page_2022.complete_submission_url == (
        f"{MIRROR}/Archives/edgar/data/1234567/000123456722000051/0001234567-22-000051.txt"
    )
    assert all(d.document != "0001234567-22-000051.txt" for d in page_2022.documents)


def test_it_strips_the_inline_xbrl_viewer_from_the_primary_link(page_2022) -> None:  # type: ignore[no-untyped-def]
    primary = page_2022.primary_document

    assert primary is not None
    assert primary.document == "ashf-20220307.htm"
    assert (
        primary.url == f"{MIRROR}/Archives/edgar/data/1234567/000123456722000051/ashf-20220307.htm"
    )


def test_it_rebases_absolute_links_onto_the_configured_host(page_2022) -> None:  # type: ignore[no-untyped-def]
    contract = next(d for d in page_2022.documents if d.type == "EX-10.1")

    assert contract.url == f"{MIRROR}/Archives/edgar/data/1234567/000123456722000051/ex10-1.htm"


def test_it_calls_out_contracts_and_press_releases(page_2022) -> None:  # type: ignore[no-untyped-def]
    # EX-101.SCH (XBRL schema) is not an EX-10 material contract.
    assert [d.document for d in page_2022.exhibits if d.is_material_contract] == ["ex10-1.htm"]
    assert [d.document for d in page_2022.exhibits if d.is_press_release] == ["ex99-1.htm"]
    assert page_2022.primary_document not in page_2022.exhibits


def test_it_reads_every_company_with_its_role(page_2022) -> None:  # type: ignore[no-untyped-def]
    assert page_2022.companies == (
        Company(cik=1234567, name="ASHFIELD THERAPEUTICS, INC.", role="Filer"),
        Company(cik=1765432, name="VERDANT BIOSCIENCES CORP", role="Subject"),
    )


def test_it_links_pre_2001_documents_to_the_complete_submission() -> None:
    page = parse_index_page((INDEX / "0000950131-97-001234-index.htm").read_bytes(), MIRROR)
    complete = f"{MIRROR}/Archives/edgar/data/912345/0000950131-97-001234.txt"

    assert page.complete_submission_url == complete
    assert [(d.type, d.document, d.url) for d in page.documents] == [
        ("8-K", "", complete),
        ("EX-99.1", "", complete),
    ]


def test_it_maps_an_items_line_without_a_number_by_its_title() -> None:
    html = (
        '<div class="infoHead">Filing Date</div><div class="info">2005-06-01</div>'
        '<div class="infoHead">Items</div><div class="info">'
        "Departure of Directors or Principal Officers; Election of Directors; "
        "Appointment of Principal Officers<br />Item 9.01: Financial Statements and Exhibits<br />"
        "</div>"
    )

    assert parse_index_page(html).items == ("5.02", "9.01")


def test_it_maps_an_untitled_legacy_line_by_the_filing_date() -> None:
    html = (
        '<div class="infoHead">Filing Date</div><div class="info">2003-04-15</div>'
        '<div class="infoHead">Items</div><div class="info">'
        "Results of Operations and Financial Condition<br /></div>"
    )

    assert parse_index_page(html).items == ("12",)


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("/Archives/edgar/data/1/2/a.htm", f"{MIRROR}/Archives/edgar/data/1/2/a.htm"),
        (
            "https://www.sec.gov/Archives/edgar/data/1/2/a.htm",
            f"{MIRROR}/Archives/edgar/data/1/2/a.htm",
        ),
        ("https://evil.example/Archives/x.htm", f"{MIRROR}/Archives/x.htm"),
        ("/ix?doc=/Archives/edgar/data/1/2/a.htm", f"{MIRROR}/Archives/edgar/data/1/2/a.htm"),
        (
            "https://www.sec.gov/ix?doc=/Archives/edgar/data/1/2/a.htm",
            f"{MIRROR}/Archives/edgar/data/1/2/a.htm",
        ),
    ],
)
def test_it_never_keeps_another_host(href: str, expected: str) -> None:
    assert rebase_url(href, MIRROR + "/") == expected


def test_it_returns_an_empty_page_for_unrelated_html() -> None:
    page = parse_index_page("<html><body><p>Request Rate Threshold Exceeded</p></body></html>")

    assert page.items == ()
    assert page.documents == ()
    assert page.accession is None
