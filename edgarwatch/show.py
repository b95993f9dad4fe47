"""`edgarwatch show ACCESSION`: one recorded filing in full, as a person reads it.

The input is `FilingStore.details()` plus the filing's notification rows:
plain values, the same that `show --json` prints. Filer-controlled text
(names, item texts, exhibit descriptions) is cleaned of control characters
first, so a hostile filing cannot move the cursor or recolour the terminal.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from edgarwatch.filing import EASTERN

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def render_filing(details: dict[str, Any]) -> str:
    """The text `edgarwatch show` prints for `details` (see the module docstring)."""
    lines = _header(details)
    lines += _section("Companies", [_company(c) for c in details["companies"]])
    for item in details["item_texts"]:
        lines += ["", f"Item {item['number']} — {_clean(item['title'] or '')}"]
        lines += _indented(item["text"] or "(text not read yet)")
    for item in details["undeclared_items"]:
        lines += ["", f"Item {item['number']} — {_clean(item['title'] or '')} (document only)"]
        lines += _indented(item["text"] or "")
    lines += _section("Agreements", [_agreement(a) for a in details.get("agreements", [])])
    lines += _section("Exhibits", [_exhibit(e) for e in details["exhibits"]])
    lines += _section("Notifications", [_notification(n) for n in details.get("notifications", [])])
    return "\n".join(lines)


def _header(d: dict[str, Any]) -> list[str]:
    read = d["enrich_status"] + (f" ({_clean(d['enrich_error'])})" if d["enrich_error"] else "")
    return [
        f"{_clean(d['company'])} — {d['form']}",
        f"  accession   {d['accession']}",
        f"  CIK         {d['cik']}",
        f"  form        {d['form']}",
        f"  filed       {d['filed'] or '-'}",
        f"  accepted    {_eastern(d['accepted_at'])}",
        f"  items       {', '.join(d['items']) or '-'}",
        f"  url         {d['url']}",
        f"  source      {d['source'] or '-'} (recorded {d['recorded_at']}; notify: {d['notify']})",
        f"  documents   {read}",
    ]


def _section(title: str, rows: list[str]) -> list[str]:
    return ["", title, *rows] if rows else []


def _company(c: dict[str, Any]) -> str:
    return f"  {c['cik']:>10}  {_clean(c['name'] or '')}  ({c['role'] or '-'})"


def _exhibit(e: dict[str, Any]) -> str:
    description = _clean(e["description"] or "")
    return f"  {e['type'] or '-':<8} {description + '  ' if description else ''}{e['url']}"


def _notification(n: dict[str, Any]) -> str:
    when = f"sent {n['sent_at']}" if n["sent_at"] else f"created {n['created_at']}"
    text = f"  {n['channel']:<12} rule {n['rule']:<10} {n['status']:<8} {when}"
    text += f", {n['attempts']} attempt(s)"
    return text + (f"; last error: {_clean(n['last_error'])}" if n["last_error"] else "")


def _agreement(row: dict[str, Any]) -> str:
    """A row of the `agreements` table: its headline (or type and title), then its
    parties, amounts and exhibit, read from the JSON columns when they are there."""
    head = row.get("headline") or " ".join(str(row[k]) for k in ("type", "title") if row.get(k))
    lines = [f"  Item {row.get('item') or '-'}: {_clean(head)}"]
    parties = _json_list(row.get("parties"))
    if parties:
        named = (f"{p.get('name')} ({p.get('role') or '-'})" for p in parties if p.get("name"))
        lines.append("    parties: " + _clean(", ".join(named)))
    amounts = [a.get("text") for a in _json_list(row.get("amounts")) if a.get("text")]
    if amounts:
        lines.append("    amounts: " + _clean("; ".join(map(str, amounts))))
    for key in ("date", "term", "exhibit"):
        if row.get(key):
            lines.append(f"    {key}: {_clean(str(row[key]))}")
    return "\n".join(lines)


def _json_list(value: Any) -> list[dict[str, Any]]:
    """A JSON column holding a list of objects (tolerating NULL and anything else)."""
    if not isinstance(value, str) or not value:
        return []
    try:
        parsed = json.loads(value)
    except ValueError:
        return []
    return [p for p in parsed if isinstance(p, dict)] if isinstance(parsed, list) else []


def _indented(text: str) -> list[str]:
    return ["  " + _clean(line) for line in text.splitlines()]


def _eastern(value: str | None) -> str:
    if not value:
        return "-"
    return datetime.fromisoformat(value).astimezone(EASTERN).strftime("%Y-%m-%d %H:%M:%S %Z")


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text)
