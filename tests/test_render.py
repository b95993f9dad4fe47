"""render: what every channel says about a filing, built from the seed filing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from edgarwatch.agreement import Agreement, Amount, Party
from edgarwatch.filing import Company, Exhibit, FilingReport, Item
from edgarwatch.notifiers.base import Delivery
from edgarwatch.notifiers.links import safe_url
from edgarwatch.notifiers.notice import MAX_DEALS, DealView, Link
from edgarwatch.notifiers.plain import plain_text
from edgarwatch.notifiers.render import render
from edgarwatch.notifiers.sample import FOLDER, ITEM_101_TEXT, sample_delivery, sample_report
from edgarwatch.notifiers.text import SUBJECT_LIMIT, clean_line, clean_text, trim

SEED_SUBJECT = "IMMUNOGEN INC — 8-K Item 1.01: Entry into a Material Definitive Agreement"
SEED_HEADLINE = (
    "Manufacturing agreement with Società Italiana Corticosteroidi S.r.l (SICOR) — "
    "EUR 5,000,000 purchase price — through early 2008."
)


def delivery(*items: str) -> Delivery:
    return Delivery(id="d-1", channel="slack", rule="default", items=items or ("1.01",))


def with_items(
    report: FilingReport, items: tuple[Item, ...], declared: tuple[str, ...]
) -> FilingReport:
    return replace(report, items=items, filing=replace(report.filing, items=declared))


def exhibit(kind: str, name: str, description: str = "") -> Exhibit:
    return Exhibit(type=kind, document=name, url=f"{FOLDER}/{name}", description=description)


def test_it_builds_the_seed_subject() -> None:
    notice = render(sample_report(), sample_delivery("slack"))
    assert notice.subject == SEED_SUBJECT
    assert notice.title == "IMMUNOGEN INC — 8-K Item 1.01"


def test_it_shows_the_accepted_time_in_eastern_time() -> None:
    notice = render(sample_report(), delivery())
    assert notice.accepted == "2007-05-04 16:05 ET"


def test_it_converts_a_utc_acceptance_time_to_eastern() -> None:
    report = sample_report()
    utc = datetime(2007, 5, 4, 20, 5, 33, tzinfo=UTC)
    notice = render(replace(report, filing=replace(report.filing, accepted_at=utc)), delivery())
    assert notice.accepted == "2007-05-04 16:05 ET"


def test_it_falls_back_to_the_filed_date() -> None:
    report = sample_report()
    filing = replace(report.filing, accepted_at=None, filed=date(2007, 5, 4))
    assert render(replace(report, filing=filing), delivery()).accepted == "2007-05-04"
    filing = replace(filing, filed=None)
    assert render(replace(report, filing=filing), delivery()).accepted == ""


def test_it_labels_an_amendment() -> None:
    report = sample_report()
    notice = render(replace(report, filing=replace(report.filing, form="8-K/A")), delivery())
    assert notice.form_label == "8-K/A (amendment)"
    assert notice.subject.startswith("IMMUNOGEN INC — 8-K/A (amendment) Item 1.01: ")


def test_it_joins_several_triggering_items_in_form_order() -> None:
    items = (
        Item("2.03", "Creation of a Direct Financial Obligation", "A loan."),
        Item("1.01", "Entry into a Material Definitive Agreement", "An agreement."),
    )
    report = with_items(sample_report(), items, ("1.01", "2.03"))
    notice = render(report, delivery("2.03", "1.01"))
    assert [v.number for v in notice.triggered] == ["1.01", "2.03"]
    assert notice.subject == (
        "IMMUNOGEN INC — 8-K Items 1.01 and 2.03: Entry into a Material Definitive "
        "Agreement; Creation of a Direct Financial Obligation"
    )


def test_it_trims_a_long_subject_but_keeps_the_item_numbers() -> None:
    report = with_items(sample_report(), (), ("1.01", "2.03", "2.04", "3.02", "5.02"))
    notice = render(report, delivery("1.01", "2.03", "2.04", "3.02", "5.02"))
    assert len(notice.subject) <= SUBJECT_LIMIT
    assert notice.subject.endswith("…")
    assert "Items 1.01, 2.03, 2.04, 3.02 and 5.02: Entry into" in notice.subject


def test_it_lists_other_items_by_number_and_title() -> None:
    items = (
        Item("1.01", "Entry into a Material Definitive Agreement", "An agreement."),
        Item("9.01", "Financial Statements and Exhibits", "(d) Exhibits."),
    )
    report = with_items(sample_report(), items, ("1.01", "7.01", "9.01"))
    notice = render(report, delivery())
    assert [v.label for v in notice.other_items] == [
        "Item 7.01 — Regulation FD Disclosure",
        "Item 9.01 — Financial Statements and Exhibits",
    ]
    assert all(v.text == "" for v in notice.other_items)


def test_it_shows_a_triggering_item_without_text_by_title_only() -> None:
    report = with_items(sample_report(), (Item("1.01", "", None),), ("1.01",))
    (view,) = render(report, delivery()).triggered
    assert view.label == "Item 1.01 — Entry into a Material Definitive Agreement"
    assert view.text == ""


def test_it_shows_a_declared_item_that_was_not_extracted() -> None:
    report = with_items(sample_report(), (), ("1.01",))
    (view,) = render(report, delivery()).triggered
    assert view.title == "Entry into a Material Definitive Agreement"


def test_it_titles_legacy_items() -> None:
    report = with_items(sample_report(), (Item("5", "", "Other news."),), ("5",))
    assert render(report, delivery("5")).triggered[0].label == "Item 5 — Other Events"


def test_it_trims_item_text_at_a_word_boundary() -> None:
    notice = render(sample_report(), delivery(), text_limit=100)
    text = notice.triggered[0].text
    assert len(text) <= 100
    assert text.endswith("…")
    assert ITEM_101_TEXT.startswith(text.removesuffix("…"))
    assert ITEM_101_TEXT[len(text) - 1] == " "  # the cut fell between words


def test_it_keeps_short_text_whole() -> None:
    assert render(sample_report(), delivery(), text_limit=5000).triggered[0].text == ITEM_101_TEXT


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("one two three four five", 12, "one two…"),
        ("x" * 30, 10, "xxxxxxxxx…"),
        ("anything", 1, "…"),
    ],
)
def test_it_trims(text: str, limit: int, expected: str) -> None:
    assert trim(text, limit) == expected
    assert len(trim(text, limit)) <= limit


def test_it_links_the_index_agreements_and_press_releases() -> None:
    report = replace(
        sample_report(),
        exhibits=(
            exhibit("8-K", "a07-13166_18k.htm", "FORM 8-K"),
            exhibit("EX-10.1", "ex10-1.htm", "Manufacturing Agreement with SICOR"),
            exhibit("EX-99.1", "ex99-1.htm", "Press release"),
            exhibit("EX-4.1", "ex4-1.htm", "Indenture"),
            exhibit("GRAPHIC", "logo.jpg"),
        ),
    )
    links = render(report, delivery()).links
    assert [(link.kind, link.label) for link in links] == [
        ("index", "Filing index"),
        ("document", "8-K document"),
        ("agreement", "Agreement (EX-10.1)"),
        ("press_release", "Press release (EX-99.1)"),
    ]
    assert links[0].url == report.filing.url
    assert links[2].description == "Manufacturing Agreement with SICOR"
    assert links[2].url == f"{FOLDER}/ex10-1.htm"


def test_it_drops_links_that_are_not_http() -> None:
    report = replace(
        sample_report(), exhibits=(Exhibit("EX-10.1", "x.htm", "javascript:alert(1)", "Agreement"),)
    )
    assert [link.kind for link in render(report, delivery()).links] == ["index"]


def test_it_encodes_characters_that_would_break_out_of_a_link() -> None:
    url = safe_url('https://www.sec.gov/a|b>c<d"e f')
    assert url == "https://www.sec.gov/a%7Cb%3Ec%3Cd%22e%20f"
    assert safe_url("ftp://example.com/x") is None
    assert safe_url("") is None


def test_it_cleans_control_characters_from_filer_text() -> None:
    assert clean_line("ACME\x1b[31m CORP\r\nBcc: x\u202e") == "ACME[31m CORP Bcc: x"
    assert clean_text("a  b\r\n\r\n\r\n\r\nc\x07") == "a b\n\nc"


def test_it_names_the_other_companies_on_the_filing() -> None:
    report = sample_report()
    companies = (*report.filing.companies, Company(12345, "SICOR\nSPA", "Subject"))
    notice = render(replace(report, filing=replace(report.filing, companies=companies)), delivery())
    assert notice.other_companies == (Company(12345, "SICOR SPA", "Subject"),)


def test_it_renders_plain_text_with_every_part() -> None:
    report = replace(
        with_items(sample_report(), sample_report().items, ("1.01", "9.01")),
        exhibits=(exhibit("EX-10.1", "ex10-1.htm", "Supply Agreement"),),
    )
    text = plain_text(render(report, delivery()))
    assert text.startswith(SEED_HEADLINE + "\n\n" + SEED_SUBJECT + "\n")
    for expected in (
        "Accepted:  2007-05-04 16:05 ET",
        "Accession: 0001104659-07-035757",
        "Item 1.01 — Entry into a Material Definitive Agreement\n\n"
        "Parties:   ImmunoGen, Inc. — registrant\n"
        "           Società Italiana Corticosteroidi S.r.l (SICOR) — counterparty\n"
        "Amounts:   EUR 5,000,000 purchase price\n\nOn April 30, 2007",
        "Also reported: Item 9.01 — Financial Statements and Exhibits",
        f"Agreement (EX-10.1) — Supply Agreement: {FOLDER}/ex10-1.htm",
        f"Filing index: {report.filing.url}",
    ):
        assert expected in text


# --------------------------------------------------------------------------- deal terms

LICENCE = Agreement(
    "license",
    "License Agreement",
    parties=(
        Party("ImmunoGen, Inc.", "registrant", "the Company"),
        Party("Adventure\u202e Works\nPharma AG", short_name="Adventure Works"),
        Party("Wells Fargo Bank, N.A.", "agent"),
    ),
    amounts=(
        Amount("$75.0 million", 75_000_000, "USD", "upfront"),
        Amount("$540.0 million", 540_000_000, "USD", "milestone"),
    ),
    exhibit="EX-10.1",
)


def with_agreements(*agreements: Agreement, exhibits: tuple[Exhibit, ...] = ()) -> FilingReport:
    report = sample_report()
    item = replace(report.items[0], agreements=agreements)
    return replace(report, items=(item,), exhibits=exhibits)


def test_it_leads_with_the_seed_headline() -> None:
    notice = render(sample_report(), delivery())
    assert notice.headline == SEED_HEADLINE
    (deal,) = notice.triggered[0].deals
    assert deal == DealView(
        headline=SEED_HEADLINE,
        parties=(
            ("ImmunoGen, Inc.", "registrant"),
            ("Società Italiana Corticosteroidi S.r.l (SICOR)", "counterparty"),
        ),
        amounts=("EUR 5,000,000 purchase price",),
    )


def test_it_shows_parties_with_roles_amounts_and_the_exhibit_that_files_it() -> None:
    filed = exhibit("EX-10.1", "ex10-1.htm", "LICENSE AGREEMENT")
    notice = render(with_agreements(LICENCE, exhibits=(filed,)), delivery())
    (deal,) = notice.deals
    assert deal.parties == (
        ("ImmunoGen, Inc. (the Company)", "registrant"),
        ("Adventure Works Pharma AG (Adventure Works)", "counterparty"),  # cleaned
        ("Wells Fargo Bank, N.A.", "agent"),
    )
    assert deal.amounts == ("USD 75,000,000 upfront", "USD 540,000,000 milestone")
    assert deal.exhibit == Link(
        "agreement", "Agreement (EX-10.1)", f"{FOLDER}/ex10-1.htm", "LICENSE AGREEMENT"
    )
    text = plain_text(notice)
    assert f"Agreement: EX-10.1: {FOLDER}/ex10-1.htm" in text
    assert "\u202e" not in text


def test_an_exhibit_the_filing_does_not_list_is_named_without_a_link() -> None:
    notice = render(with_agreements(LICENCE), delivery())
    (deal,) = notice.deals
    assert (deal.exhibit_type, deal.exhibit) == ("EX-10.1", None)
    assert "Agreement: EX-10.1\n" in plain_text(notice)


def test_several_agreements_each_get_a_headline_and_the_rest_are_counted() -> None:
    many = [replace(LICENCE, title=f"License Agreement No. {n}") for n in range(MAX_DEALS + 2)]
    notice = render(with_agreements(*many), delivery())
    assert len(notice.deals) == MAX_DEALS
    text = plain_text(notice)
    assert text.startswith("License Agreement No. 0 with Adventure")
    assert "…and 4 more agreements." in text.splitlines()[3]
    assert "Deal:      License Agreement No. 1 with" in text
    assert "…and 2 more agreements in this item." in text


def test_items_listed_by_title_only_show_no_deal_terms() -> None:
    report = replace(
        with_agreements(LICENCE),
        items=(*with_agreements(LICENCE).items, Item("2.03", "Obligation", "A loan.", (LICENCE,))),
    )
    notice = render(report, delivery("2.03"))
    assert [v.number for v in notice.other_items] == ["1.01"]
    assert notice.other_items[0].deals == ()
    assert len(notice.deals) == 1


def test_it_says_when_the_party_watch_is_why() -> None:
    report = replace(sample_report(), party_watch=("SICOR", "Pfizer\nInc."))
    notice = render(report, delivery())
    assert notice.party_watch == ("SICOR", "Pfizer Inc.")
    assert "Why:       party watch: SICOR, Pfizer Inc." in plain_text(notice)
    assert "Why:" not in plain_text(render(sample_report(), delivery()))


def test_a_filing_without_agreements_opens_with_its_subject() -> None:
    report = with_agreements()
    assert render(report, delivery()).headline == ""
    assert plain_text(render(report, delivery())).startswith(SEED_SUBJECT + "\n")
