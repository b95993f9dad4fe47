"""What a read of a filing found, as rows and back: items, exhibits, agreements and
their parties and amounts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from edgarwatch.agreement import Agreement, headline, party_key
from edgarwatch.filing import Exhibit, FilingReport, Item
from edgarwatch.items import sort_key


def item_row(accession: str, item: Item) -> dict[str, Any]:
    return {"accession": accession, "number": item.number, "title": item.title, "text": item.text}


def write_agreements(db: Database, accession: str, report: FilingReport) -> None:
    """The report's agreements replace whatever was recorded for the filing before."""
    db.execute("DELETE FROM agreement_parties WHERE accession = ?", [accession])
    db.execute("DELETE FROM agreements WHERE accession = ?", [accession])
    rows: list[dict[str, Any]] = []
    parties: list[dict[str, Any]] = []
    for item in report.items + report.document_only_items:
        for position, agreement in enumerate(item.agreements):
            rows.append(agreement_row(accession, item.number, position, agreement))
            parties += [
                {
                    "accession": accession,
                    "item": item.number,
                    "position": position,
                    "name": party.name,
                    "role": party.role,
                    "short_name": party.short_name,
                    "normalized_name": party_key(party.name),
                }
                for party in agreement.parties
            ]
    if rows:
        db.table("agreements").insert_all(rows, replace=True)
    if parties:
        db.table("agreement_parties").insert_all(parties)


def agreement_row(
    accession: str, number: str, position: int, agreement: Agreement
) -> dict[str, Any]:
    data = agreement.to_json()
    return {
        "accession": accession,
        "item": number,
        "position": position,
        "type": agreement.type,
        "amendment": int(agreement.amendment),
        "title": agreement.title,
        "date": data["date"],
        "term": agreement.term,
        "headline": headline(agreement),
        "exhibit": agreement.exhibit,
        "parties": json.dumps(data["parties"], ensure_ascii=False),
        "amounts": json.dumps(data["amounts"], ensure_ascii=False),
        "evidence": json.dumps(data["evidence"]),
    }


def exhibit_row(accession: str, exhibit: Exhibit) -> dict[str, Any]:
    return {
        "accession": accession,
        "document": exhibit.document,
        "sequence": exhibit.sequence,
        "type": exhibit.type,
        "description": exhibit.description,
        "url": exhibit.url,
        "size": exhibit.size,
    }


def by_item_number(row: dict[str, Any]) -> tuple[int, int]:
    return sort_key(row["number"])


def agreement_of(row: dict[str, Any]) -> Agreement:
    return Agreement.from_json(
        {
            "type": row["type"],
            "title": row["title"],
            "amendment": bool(row["amendment"]),
            "date": row["date"],
            "term": row["term"],
            "parties": json.loads(row["parties"] or "[]"),
            "amounts": json.loads(row["amounts"] or "[]"),
            "exhibit": row["exhibit"],
            "evidence": json.loads(row["evidence"] or "{}"),
        }
    )


def exhibit_of(row: dict[str, Any]) -> Exhibit:
    return Exhibit(
        type=row["type"],
        document=row["document"],
        url=row["url"],
        description=row["description"] or "",
        sequence=row["sequence"],
        size=row["size"],
    )


def ordered_numbers(numbers: Iterable[str]) -> list[str]:
    return sorted(dict.fromkeys(numbers), key=sort_key)
