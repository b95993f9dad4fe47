"""Deal terms read out of item texts written the way 8-Ks write them.

The fixtures in `fixtures/agreements/` paraphrase the sentence shapes of
real Item 1.01, 1.02 and 2.01 texts (with fictional companies); see their
README. Each test states what a business-development reader must learn.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from edgarwatch.agreement import Agreement, headline
from edgarwatch.edgar.agreements import extract_agreements
from edgarwatch.filing import Exhibit

FIXTURES = Path(__file__).parent / "fixtures"
PROSE = FIXTURES / "agreements"


def read(name: str, item: str = "1.01", registrant: str | None = None) -> tuple[Agreement, ...]:
    return extract_agreements(item, (PROSE / f"{name}.txt").read_text(), registrant=registrant)


def only(agreements: tuple[Agreement, ...]) -> Agreement:
    assert len(agreements) == 1, [a.title for a in agreements]
    return agreements[0]


def parties(agreement: Agreement) -> list[tuple[str, str]]:
    return [(party.name, party.role) for party in agreement.parties]


def amounts(agreement: Agreement, *, other: bool = False) -> list[tuple[int | float, str, str]]:
    return [(a.value, a.currency, a.role) for a in agreement.amounts if other or a.role != "other"]


# --- the shapes of real Item 1.01 texts ------------------------------------------------------


def test_it_reads_a_credit_agreement_with_an_agent_and_lenders() -> None:
    agreement = only(read("credit_agreement", registrant="RING ROCK ENERGY, INC."))

    assert agreement.type == "credit facility"
    assert agreement.title == "Third Amended and Restated Credit Agreement"
    assert agreement.amendment is True
    assert agreement.date == dt.date(2025, 6, 18)
    # Pinecrest Bank was the agent of the agreement this one amends: not a party to it.
    assert parties(agreement) == [
        ("RING ROCK ENERGY, INC.", "registrant"),
        ("Bank of Lakeshore, N.A.", "agent"),
    ]
    assert amounts(agreement) == [(585_000_000, "USD", "commitment")]
    assert agreement.term == "2029-06-18"
    assert agreement.exhibit == "EX-10.1"


def test_it_reads_notes_issued_under_an_indenture_with_a_trustee() -> None:
    agreement = only(read("indenture", registrant="Blue Mesa Midstream Corp"))

    assert (agreement.type, agreement.title) == ("indenture/notes", "Indenture")
    assert parties(agreement) == [
        ("Blue Mesa Midstream Corp", "registrant"),
        ("Harbor Trust Company, National Association", "trustee"),
    ]
    assert amounts(agreement) == [(500_000_000, "USD", "principal")]
    assert (agreement.date, agreement.term, agreement.exhibit) == (
        dt.date(2025, 9, 25),
        "2033",
        "EX-4.1",
    )


def test_it_reads_an_underwriting_agreement_with_representatives() -> None:
    agreement = only(read("underwriting"))

    assert agreement.type == "underwriting"
    assert parties(agreement) == [
        ("Scarlet Finch, Inc.", "registrant"),
        ("Ridgeway & Associates, Inc.", "underwriter"),
        ("Haldane & Company, LLC", "underwriter"),
    ]
    # par value and the per-share offering price are not deal terms of a role
    assert amounts(agreement) == []
    assert (71_200_000, "USD", "other") in amounts(agreement, other=True)
    assert agreement.exhibit == "EX-1.1"


def test_it_reads_a_licence_with_upfront_milestones_and_royalties() -> None:
    agreement = only(read("license", registrant="Athena Oncology, Inc."))

    assert agreement.type == "license"
    assert parties(agreement) == [
        ("Athena Oncology, Inc.", "registrant"),
        ("Jiangbei Lantern Pharmaceutical Co., Ltd.", "counterparty"),  # "JLP" resolved
    ]
    assert amounts(agreement) == [
        (14_500_000, "USD", "upfront"),
        (15_000_000, "USD", "milestone"),
    ]
    assert headline(agreement) == (
        "Exclusive license agreement with Jiangbei Lantern Pharmaceutical Co., Ltd. (JLP) — "
        "USD 14,500,000 upfront — USD 15,000,000 milestone."
    )


def test_it_reads_a_lease_with_its_annual_rent_and_term() -> None:
    agreement = only(read("lease"))

    assert (agreement.type, agreement.title) == ("lease", "Lease Agreement")
    assert parties(agreement)[1] == ("128 Elm Street Partners, LLC", "counterparty")
    assert amounts(agreement)[0] == (1_023_284, "USD", "rent")
    assert agreement.amounts[0].period == "year"
    assert agreement.term == "P7Y"


def test_it_reads_a_merger_agreement_with_parent_and_merger_sub() -> None:
    agreement = only(read("merger", registrant="Riverside Care Services, Inc."))

    assert agreement.type == "merger/acquisition"
    assert parties(agreement) == [
        ("Riverside Care Services, Inc.", "registrant"),
        ("Tallgrass Acquisition LLC", "counterparty"),
        ("Tallgrass Merger Corporation", "counterparty"),  # a subsidiary of Parent, not ours
    ]
    consideration = next(a for a in agreement.amounts if a.role == "purchase price")
    assert (consideration.value, consideration.period) == (10.1, "share")
    assert agreement.exhibit == "EX-2.1"


def test_it_reads_an_employment_agreement_and_names_mr_hoekstra_in_full() -> None:
    agreement = only(read("employment", registrant="Northgate Systems Inc"))

    assert agreement.type == "employment"
    assert parties(agreement) == [
        ("Northgate Systems Inc", "registrant"),
        ("Jan Hoekstra", "counterparty"),
    ]
    assert amounts(agreement) == [(425_000, "USD", "compensation")]
    assert agreement.amounts[0].period == "year"
    assert (agreement.date, agreement.term) == (dt.date(2020, 3, 2), "P3Y")


def test_it_reads_a_terminated_agreement_in_item_1_02() -> None:
    agreement = only(read("sales_agreement_terminated", "1.02", "Alpen Therapeutics, Inc."))

    assert agreement.type == "underwriting"
    assert agreement.title == "At-the-Market Issuance Sales Agreement"
    assert parties(agreement)[1] == ("Cowley and Company, LLC", "agent")  # "the Agent"
    assert agreement.date == dt.date(2023, 4, 28)


def test_it_reads_the_agreement_a_completed_acquisition_was_made_under() -> None:
    agreement = only(read("tender_offer_completed", "2.01", "Juniper Bio, Inc."))

    assert agreement.type == "merger/acquisition"
    assert [name for name, role in parties(agreement) if role != "registrant"] == [
        "Ostara Biosciences, LLC",
        "Ostara Merger Sub, Inc.",
    ]
    assert amounts(agreement) == [(1.85, "USD", "purchase price")]


@pytest.mark.parametrize(
    ("text", "kind", "title", "counterparty", "term"),
    [
        (
            "On April 4, 2022, the Company entered into a Settlement Agreement and Mutual Release "
            "(the “Settlement Agreement”) with Beta Devices, Inc. (“Beta”), pursuant to which the "
            "Company will pay Beta $2.5 million.",
            "settlement",
            "Settlement Agreement and Mutual Release",
            "Beta Devices, Inc.",
            None,
        ),
        (
            "The Company entered into Amendment No. 2 (the “Amendment”) to the Credit Agreement, "
            "dated as of March 15, 2019, among the Company, Juniper Bank, N.A., as administrative "
            "agent, and the lenders party thereto, which extended the maturity date to March 15, 2027.",
            "credit facility",
            "Amendment No. 2 to Credit Agreement",
            "Juniper Bank, N.A.",
            "2027-03-15",
        ),
        (
            "On June 2, 2023, the Company entered into a Securities Purchase Agreement with certain "
            "institutional investors for the sale of 1,000,000 shares at $5.00 per share.",
            "other",
            "Securities Purchase Agreement",
            None,
            None,
        ),
        (
            "On October 31, 2017, Larch Sensors Corporation, a New York corporation (“Buyer”) and "
            "newly formed and wholly-owned indirect subsidiary of Larch Holdings, Inc. (the "
            "“Company”) and Mesa Instruments, Inc., a Delaware corporation (“Seller”) entered into "
            "an Asset Purchase Agreement (the “Asset Purchase Agreement”).",
            "asset purchase/sale",
            "Asset Purchase Agreement",
            "Mesa Instruments, Inc.",
            None,
        ),
        (
            "On January 5, 2024, the Company entered into a Loan and Security Agreement with "
            "Silicon Valley Bank, providing for a term loan of up to $50 million, maturing on "
            "January 1, 2028.",
            "credit facility",
            "Loan and Security Agreement",
            "Silicon Valley Bank",
            "2028-01-01",
        ),
    ],
)
def test_it_reads_more_shapes_of_real_prose(
    text: str, kind: str, title: str, counterparty: str | None, term: str | None
) -> None:
    agreement = only(extract_agreements("1.01", text, registrant="Larch Holdings, Inc."))

    assert (agreement.type, agreement.title, agreement.term) == (kind, title, term)
    assert parties(agreement)[0][1] == "registrant"  # "The Company", or its subsidiary the Buyer
    others = [name for name, role in parties(agreement) if role != "registrant"]
    assert others == ([counterparty] if counterparty else [])  # never "certain investors"


def test_it_keeps_two_agreements_of_one_sentence_apart() -> None:
    text = (
        "On May 1, 2024, the Company issued $600 million of 6.25% Senior Notes due 2031, sold "
        "pursuant to an Underwriting Agreement with Ridgeway & Associates, Inc., as "
        "representative of the several underwriters, and issued pursuant to an Indenture with "
        "Harbor Trust Company, National Association, as trustee."
    )
    agreements = extract_agreements("1.01", text, registrant="Larch Holdings, Inc.")

    assert [(a.type, a.counterparties[0].role) for a in agreements] == [
        ("underwriting", "underwriter"),
        ("indenture/notes", "trustee"),
    ]


def test_it_takes_the_formal_title_a_1_02_sentence_gives_after_describing_it() -> None:
    text = (
        "On April 15, 2016, the Company terminated its existing credit facility pursuant to "
        "that certain Amended and Restated Credit Agreement, dated as of August 7, 2013, by and "
        "among the Company, the lenders party thereto and Keel Bank, N.A., as administrative agent."
    )
    agreement = only(extract_agreements("1.02", text, registrant="Larch Holdings, Inc."))

    assert agreement.title == "Amended and Restated Credit Agreement"
    assert agreement.date == dt.date(2013, 8, 7)
    assert parties(agreement)[-1] == ("Keel Bank, N.A.", "agent")


# --- evidence -------------------------------------------------------------------------------


def test_it_points_every_field_at_the_words_it_was_read_from() -> None:
    text = (PROSE / "indenture.txt").read_text()
    agreement = only(extract_agreements("1.01", text, registrant="Blue Mesa Midstream Corp"))
    evidence = agreement.evidence

    def said(span: tuple[int, int]) -> str:
        return text[span[0] : span[1]]

    assert said(evidence.title[0]) == "Indenture"
    assert said(evidence.type[0]) == "Indenture"
    assert "September 25, 2025" in said(evidence.date[0])
    assert said(evidence.term[0]) == "Notes due 2033"
    assert said(evidence.exhibit[0]) == "4.1"
    assert [said(s) for s in evidence.parties] == [
        "the Company",
        "Harbor Trust Company, National Association",
    ]
    assert [said(s) for s in evidence.amounts] == [a.text for a in agreement.amounts]


def test_it_spells_the_exhibit_as_the_filing_lists_it() -> None:
    text = "On May 1, 2020, the Company entered into a Lease with Acme Realty LLC, filed as Exhibit 10.01 hereto."
    exhibits = (Exhibit("EX-10.01", "ex1001.htm", ""),)

    assert only(extract_agreements("1.01", text, exhibits=exhibits)).exhibit == "EX-10.01"


# --- what must produce nothing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "text"),
    [
        (
            "2.03",
            "The information set forth under Item 1.01 of this Current Report on Form 8-K is incorporated herein by reference.",
        ),
        (
            "2.03",
            "As described in Item 1.01 above, the Company borrowed $750 million on March 27, 2020.",
        ),
        (
            "1.01",
            "As previously reported in Item 1.01 of the Company’s Current Report on Form 8-K filed on March 3, 2020, the Company entered into a Credit Agreement with Keystone Bank, N.A.",
        ),
        ("1.01", "None."),
        ("1.01", ""),
        (
            "8.01",
            "On May 1, 2020, the Company entered into a Lease Agreement with Acme Realty LLC.",
        ),
        (
            "5.02",
            "On May 1, 2020, the Company entered into an Employment Agreement with John Smith.",
        ),
        (
            "1.01",
            "On November 2, 2011, the Board approved the following fixed retainers for service: Board Member $ 50,000.",
        ),
    ],
)
def test_it_finds_no_agreement_where_none_is_described(item: str, text: str) -> None:
    assert extract_agreements(item, text) == ()


def test_it_names_no_exchange_rating_agency_statute_or_product_as_a_party() -> None:
    text = (
        "On May 1, 2020, Vela Therapeutics, Inc. (Nasdaq: VELA) (the “Company”) entered into a "
        "License Agreement (the “License”) with Oriel Pharma AG (“Oriel”) for VX-4, registered "
        "under the Securities Act. The Company’s notes are rated by Moody’s and S&P and listed on "
        "the New York Stock Exchange."
    )
    agreement = only(extract_agreements("1.01", text))

    assert parties(agreement) == [
        ("Vela Therapeutics, Inc.", "registrant"),
        ("Oriel Pharma AG", "counterparty"),
    ]


def test_it_prefers_no_party_to_a_wrong_one() -> None:
    text = "On May 1, 2020, the Company entered into an agreement with respect to its Ohio plant."

    assert extract_agreements("1.01", text) == ()
