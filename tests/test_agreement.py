"""The agreement domain values: their JSON round trip and the one-line headline."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from edgarwatch.agreement import (
    Agreement,
    Amount,
    Evidence,
    Party,
    agreements_from_json,
    agreements_to_json,
    format_amount,
    headline,
    headline_amounts,
    names_party,
    party_key,
    party_label,
    watched_parties,
)

SICOR = Agreement(
    type="manufacturing/supply",
    title="manufacturing agreement",
    date=dt.date(2007, 4, 30),
    term="early 2008",
    parties=(
        Party("ImmunoGen, Inc.", "registrant"),
        Party("Società Italiana Corticosteroidi S.r.l", short_name="SICOR"),
    ),
    amounts=(Amount("five million Euros", 5_000_000, "EUR", "purchase price"),),
    evidence=Evidence(
        type=((65, 88),),
        title=((65, 88),),
        date=((0, 17),),
        term=((457, 505),),
        parties=((19, 34), (94, 132)),
        amounts=((408, 426),),
    ),
)


def test_it_prints_the_issue_s_json_shape() -> None:
    data = SICOR.to_json()

    assert list(data) == [
        "type",
        "amendment",
        "title",
        "date",
        "term",
        "parties",
        "amounts",
        "exhibit",
        "evidence",
    ]
    assert data["date"] == "2007-04-30"
    assert data["parties"] == [
        {"name": "ImmunoGen, Inc.", "role": "registrant", "short_name": None},
        {
            "name": "Società Italiana Corticosteroidi S.r.l",
            "role": "counterparty",
            "short_name": "SICOR",
        },
    ]
    assert data["amounts"] == [
        {
            "text": "five million Euros",
            "value": 5000000,
            "currency": "EUR",
            "role": "purchase price",
            "period": None,
        }
    ]
    assert data["evidence"]["parties"] == [[19, 34], [94, 132]]
    assert set(data["evidence"]) == {
        "type",
        "amendment",
        "title",
        "date",
        "term",
        "parties",
        "amounts",
        "exhibit",
    }


def test_it_round_trips_through_json_text() -> None:
    text = json.dumps(agreements_to_json([SICOR]), ensure_ascii=False)

    assert agreements_from_json(json.loads(text)) == (SICOR,)


def test_it_reads_parties_written_before_short_names_existed() -> None:
    data = SICOR.to_json()
    for party in data["parties"]:
        del party["short_name"]

    assert [p.short_name for p in Agreement.from_json(data).parties] == [None, None]


def test_it_keeps_whole_values_ints_and_cents_floats() -> None:
    data = Agreement("other", "x", amounts=(Amount("$10.10", 10.1, "USD", period="share"),))

    assert Agreement.from_json(data.to_json()).amounts[0].value == 10.1
    assert isinstance(SICOR.to_json()["amounts"][0]["value"], int)


@pytest.mark.parametrize(
    "broken",
    [
        {"title": "x"},
        {"type": "lease", "title": "x", "date": "30 April 2007"},
        {
            "type": "lease",
            "title": "x",
            "amounts": [{"text": "$1", "value": "1", "currency": "USD"}],
        },
    ],
)
def test_it_refuses_json_of_another_shape(broken: dict[str, Any]) -> None:
    with pytest.raises((KeyError, ValueError, TypeError)):
        Agreement.from_json(broken)


def test_it_writes_the_seed_headline_in_the_issue_s_style() -> None:
    assert headline(SICOR) == (
        "Manufacturing agreement with Società Italiana Corticosteroidi S.r.l (SICOR) — "
        "EUR 5,000,000 purchase price — through early 2008."
    )


@pytest.mark.parametrize(
    ("party", "label"),
    [
        (
            Party("Società Italiana Corticosteroidi S.r.l", short_name="SICOR"),
            "Società Italiana Corticosteroidi S.r.l (SICOR)",
        ),
        (Party("Barclays Bank plc", "agent", "Barclays"), "Barclays Bank plc (Barclays, agent)"),
        (
            Party("Wells Fargo Bank, N.A.", "trustee", "the Trustee"),
            "Wells Fargo Bank, N.A. (the Trustee)",
        ),
        (Party("Toshiba Corporation", short_name="TOSHIBA CORP."), "Toshiba Corporation"),
        (Party("SunTrust Bank", "lender"), "SunTrust Bank"),
    ],
)
def test_it_labels_a_party_with_its_short_name_and_capacity(party: Party, label: str) -> None:
    assert party_label(party) == label


def test_it_names_capacities_and_counts_long_party_lists() -> None:
    agreement = Agreement(
        "credit facility",
        "Credit Agreement",
        parties=(
            Party("Nuance Communications, Inc.", "registrant"),
            Party("Barclays Bank plc", "agent"),
            Party("Morgan Stanley Bank, N.A.", "arranger"),
            Party("SunTrust Bank", "lender"),
            Party("Citibank, N.A.", "lender"),
            Party("Royal Bank of Canada", "lender"),
        ),
        amounts=(Amount("$242.5 million", 242_500_000, "USD", "commitment"),),
        term="2021-04-15",
    )

    assert headline(agreement) == (
        "Credit Agreement with Barclays Bank plc (agent), Morgan Stanley Bank, N.A. (arranger), "
        "SunTrust Bank and 2 others — USD 242,500,000 commitment — through April 15, 2021."
    )


def test_it_leads_a_licence_with_its_upfront_payment_and_milestones() -> None:
    agreement = Agreement(
        "license",
        "License Agreement",
        amounts=(
            Amount("$0.001", 0.001, "USD", "other", "share"),
            Amount("$540.0 million", 540_000_000, "USD", "milestone"),
            Amount("$75.0 million", 75_000_000, "USD", "upfront"),
            Amount("$12.0 million", 12_000_000, "USD", "fee"),
        ),
    )

    assert [a.role for a in headline_amounts(agreement)] == ["upfront", "milestone"]


def test_it_shows_a_per_share_price_only_when_nothing_else_is_named() -> None:
    per_share = Amount("$10.10", 10.1, "USD", "purchase price", "share")
    whole = Amount("$1.2 billion", 1_200_000_000, "USD", "purchase price")

    assert headline_amounts(Agreement("merger/acquisition", "x", amounts=(per_share,))) == (
        per_share,
    )
    assert headline_amounts(Agreement("merger/acquisition", "x", amounts=(per_share, whole))) == (
        whole,
    )


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Amount("$20,400 per year", 20_400, "USD", "rent", "year"), "USD 20,400 rent per year"),
        (Amount("$1.15 billion", 1_150_000_000, "USD", "principal"), "USD 1,150,000,000 principal"),
        (
            Amount("$10.10", 10.1, "USD", "purchase price", "share"),
            "USD 10.10 purchase price per share",
        ),
        (Amount("$0.001", 0.001, "USD", "other", "share"), "USD 0.001 per share"),
    ],
)
def test_it_formats_amounts(amount: Amount, text: str) -> None:
    assert format_amount(amount) == text


@pytest.mark.parametrize(
    ("term", "phrase"),
    [("P7Y", "7-year term"), ("P364D", "364-day term"), ("2033", "through 2033")],
)
def test_it_words_the_term(term: str, phrase: str) -> None:
    assert headline(Agreement("lease", "Lease", term=term)) == f"Lease — {phrase}."


def test_it_labels_an_amendment() -> None:
    amended = Agreement("employment", "Horizon Bank salary continuation agreement", amendment=True)

    assert headline(amended) == "Amendment to Horizon Bank salary continuation agreement."
    restated = Agreement("credit facility", "Amended and Restated Credit Agreement", amendment=True)
    assert headline(restated) == "Amended and Restated Credit Agreement."


# --- matching watched names to parties ---------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["Pfizer Inc.", "PFIZER INC", "Pfizer, Incorporated", "pfizer", "The Pfizer Inc", "Pfizer Inc"],
)
def test_it_matches_a_name_whatever_its_legal_form_punctuation_and_case(written: str) -> None:
    assert names_party("Pfizer Inc.", Party(written))
    assert names_party(written, Party("Pfizer Inc."))


@pytest.mark.parametrize(
    ("watched", "party"),
    [
        ("Acme Corp.", "ACME CORPORATION"),
        ("Acme Co.", "Acme Company"),
        ("Acme Ltd", "Acme Limited"),
        ("Acme LLC", "Acme, L.L.C."),
        ("Società Italiana Corticosteroidi", "Società Italiana Corticosteroidi S.r.l"),
        ("Societa Italiana Corticosteroidi S.r.l.", "Società Italiana Corticosteroidi S.r.l"),
        ("Koninklijke Philips", "Koninklijke Philips N.V."),
        ("AstraZeneca", "AstraZeneca PLC"),
        ("Wells Fargo Bank", "Wells Fargo Bank, National Association"),
        ("Johnson and Johnson", "Johnson & Johnson"),
        ("Moodys Analytics", "Moody’s Analytics, Inc."),
    ],
)
def test_it_tolerates_the_ways_filings_write_a_company(watched: str, party: str) -> None:
    assert names_party(watched, Party(party))
    assert party_key(watched) == party_key(party)


@pytest.mark.parametrize(
    ("watched", "party"),
    [
        ("Pfizer", "Pfizer Pharmaceuticals Ltd."),  # another company of the group: list it too
        ("Pfizer Pharmaceuticals", "Pfizer Inc."),
        ("Acme", "Acme Holdings, Inc."),
        ("Sicor", "Sicor Pharmaceuticals Inc."),
        ("Bank of America", "America Bank"),
        ("", "Pfizer Inc."),
    ],
)
def test_it_does_not_match_a_near_miss(watched: str, party: str) -> None:
    assert not names_party(watched, Party(party))


def test_it_matches_a_watched_short_name_against_the_defined_term() -> None:
    sicor = Party("Società Italiana Corticosteroidi S.r.l", short_name="SICOR")

    assert names_party("SICOR", sicor)
    assert names_party("sicor", sicor)
    assert not names_party("SICOR", Party("Società Italiana Corticosteroidi S.r.l"))


def test_a_short_name_of_capacity_alone_matches_nobody() -> None:
    trustee = Party("Wells Fargo Bank, N.A.", "trustee", "the Trustee")

    assert not names_party("Trustee", trustee)
    assert not names_party("The Trustee", trustee)
    assert not names_party(
        "Merger Sub", Party("WDC Merger Enterprises I, Inc.", short_name="Merger Sub")
    )
    assert names_party("Wells Fargo Bank", trustee)


def test_it_names_the_watched_parties_of_agreements_but_never_the_registrant() -> None:
    pfizer_deal = Agreement(
        "license",
        "License Agreement",
        parties=(Party("Pfizer Inc.", "registrant"), Party("BioNTech SE")),
    )

    assert watched_parties(["SICOR", "Pfizer Inc.", "Nobody"], [SICOR, pfizer_deal]) == ("SICOR",)
    assert watched_parties(["BioNTech", "SICOR"], [pfizer_deal]) == ("BioNTech",)
    assert watched_parties([], [SICOR]) == ()


def test_a_name_in_the_text_but_not_among_the_parties_is_no_match() -> None:
    mention = Agreement(
        "credit facility",
        "Credit Agreement",
        parties=(Party("Acme Corp.", "registrant"), Party("First Bank", "agent")),
    )  # the item's text also says "… to fund the Pfizer Pharmaceuticals Ltd. pipeline …"

    assert watched_parties(["Pfizer", "Pfizer Pharmaceuticals Ltd."], [mention]) == ()
