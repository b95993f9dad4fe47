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
)

SICOR = Agreement(
    type="manufacturing/supply",
    title="manufacturing agreement",
    date=dt.date(2007, 4, 30),
    term="early 2008",
    parties=(
        Party("ImmunoGen, Inc.", "registrant"),
        Party("Società Italiana Corticosteroidi S.r.l"),
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
    assert data["parties"][1] == {
        "name": "Società Italiana Corticosteroidi S.r.l",
        "role": "counterparty",
    }
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
        "Manufacturing agreement with Società Italiana Corticosteroidi S.r.l — "
        "EUR 5,000,000 purchase price — through early 2008."
    )


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
