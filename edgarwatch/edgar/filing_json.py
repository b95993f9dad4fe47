"""The `parse` JSON (a contract, DESIGN.md): one object per file, its items and their agreements."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from edgarwatch.agreement import agreements_to_json
from edgarwatch.edgar.parsed import ParsedFiling
from edgarwatch.filing import Exhibit, Item


def filing_json(path: Path, parsed: ParsedFiling) -> dict[str, Any]:
    """The `edgarwatch parse` JSON object (DESIGN.md's contract, extended)."""
    return {
        "file": str(path),
        "form": parsed.form,
        "accession": parsed.accession,
        "filed": parsed.filed.isoformat() if parsed.filed else None,
        "accepted_at": parsed.accepted_at.isoformat() if parsed.accepted_at else None,
        "companies": [{"cik": c.cik, "name": c.name, "role": c.role} for c in parsed.companies],
        "primary_document": parsed.primary_document,
        "items": [_item_json(item) for item in parsed.items],
        "document_only_items": [_item_json(item) for item in parsed.document_only_items],
        "exhibits": [_exhibit_json(exhibit) for exhibit in parsed.exhibits],
    }


def _item_json(item: Item) -> dict[str, Any]:
    return {
        "number": item.number,
        "title": item.title,
        "text": item.text or "",
        "agreements": agreements_to_json(item.agreements),
    }


def _exhibit_json(exhibit: Exhibit) -> dict[str, Any]:
    return {
        "type": exhibit.type,
        "document": exhibit.document,
        "description": exhibit.description,
        "url": exhibit.url,
        "material_contract": exhibit.is_material_contract,
        "press_release": exhibit.is_press_release,
    }
