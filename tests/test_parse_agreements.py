"""`edgarwatch parse` with deal terms: `agreements` on every item object."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from edgarwatch.agreement import Agreement, headline
from edgarwatch.edgar.local_files import parse_file
from edgarwatch.edgar.parse import parse_document

ROOT = Path(__file__).resolve().parents[1]
EIGHT_K = Path(__file__).parent / "fixtures" / "8k"


def only(agreements: tuple[Agreement, ...]) -> Agreement:
    assert len(agreements) == 1, [a.title for a in agreements]
    return agreements[0]


def parties(agreement: Agreement) -> list[tuple[str, str]]:
    return [(party.name, party.role) for party in agreement.parties]


def test_it_reads_the_agreement_out_of_the_seed_filing() -> None:
    seed = ROOT / "edgarwatch/replay/fixtures/filings"
    parsed = parse_document((seed / "0001104659-07-035757/a07-13166_18k.htm").read_bytes())
    agreement = only(parsed.items[0].agreements)

    assert headline(agreement) == (
        "Manufacturing agreement with Società Italiana Corticosteroidi S.r.l (SICOR) — "
        "EUR 5,000,000 purchase price — through early 2008."
    )
    assert agreement.date == dt.date(2007, 4, 30)
    assert agreement.parties[1].short_name == "SICOR"


def test_it_puts_agreements_on_every_item_of_the_parse_output(tmp_path: Path) -> None:
    result = parse_file(EIGHT_K / "prose_mention.htm")
    items = {item["number"]: item for item in result["items"]}

    assert all("agreements" in item for item in result["items"])
    assert items["2.03"]["agreements"] == []  # it only refers to Item 1.01
    assert items["9.01"]["agreements"] == []
    [term_loan] = items["1.01"]["agreements"]
    assert term_loan["type"] == "credit facility"
    assert term_loan["amounts"][0]["value"] == 750_000_000
    assert term_loan["parties"] == [
        {"name": "Pacific Crown Logistics, Inc.", "role": "registrant", "short_name": "the Company"}
    ]
    assert Agreement.from_json(term_loan).to_json() == term_loan


def test_it_takes_the_registrant_from_the_cover_when_edgar_does_not_say() -> None:
    parsed = parse_document((EIGHT_K / "markdown_converted.txt").read_bytes())
    agreement = only(parsed.items[0].agreements)

    assert parsed.cover_registrant == "Larkspur Therapeutics, Inc."
    assert parties(agreement) == [
        ("Larkspur Therapeutics, Inc.", "registrant"),
        ("Halvorsen Pharma AS", "counterparty"),
    ]
    assert [(a.value, a.currency, a.role) for a in agreement.amounts] == [
        (2_000_000, "EUR", "purchase price")
    ]
    assert agreement.term == "the end of 2016"
