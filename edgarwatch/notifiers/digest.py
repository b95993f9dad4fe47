"""What a daily digest says: the filings recorded since the last one, grouped by company.

`digest_message` turns the filings a digest lists (`storage.DigestFiling`)
into a `Message`: a title with the day and the count, a summary saying what
period it covers (and which days' digests were missed while the daemon was
down, when one digest covers a gap), then one group per company (sorted by
name), one entry per filing in acceptance order: form, every item with its
title, the accepted time, the first agreement's headline (or what an
amendment amends) and a link to the filing index. Filer text is cleaned
here (`render.clean_line`), escaped by each channel. Nothing to list: no
message, unless the channel asked for one (`send_empty`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from edgarwatch.digest import DigestPlan
from edgarwatch.filing import EASTERN
from edgarwatch.items import sort_key
from edgarwatch.notifiers.changes import amends_text
from edgarwatch.notifiers.links import safe_url
from edgarwatch.notifiers.message import Entry, Group, Message
from edgarwatch.notifiers.text import as_eastern, clean_line, form_label
from edgarwatch.storage import DigestFiling


def digest_message(
    filings: Sequence[DigestFiling],
    *,
    total: int,
    channel: str,
    plan: DigestPlan,
    since: datetime,
    send_empty: bool,
    scope: str = "all",
) -> Message | None:
    """The digest of `filings` (the first of `total`), recorded since `since` (the previous
    digest's due moment, or when the channel's digests began), or None when there is
    nothing to say."""
    if not filings and not send_empty:
        return None
    noun = "filing" if total == 1 else "filings"
    title = f"edgarwatch digest for {_day(plan.day)} {plan.day.year}: {total or 'no'} new {noun}"
    groups = _groups(filings)
    return Message(
        kind="digest",
        title=title,
        summary=_summary(filings, total, since, plan, scope),
        groups=groups,
        footer=f"edgarwatch · daily digest for {channel} at {_et_time(plan.due_at)}",
        data={
            "channel": channel,
            "day": plan.day.isoformat(),
            "due_at": plan.due_at.isoformat(),
            "since": since.isoformat(),
            "missed_days": [d.isoformat() for d in plan.missed_days],
            "total": total,
            "filings": [_filing_data(f) for f in filings],
            "more_hint": f"edgarwatch filings --since {_filed_since(since)}",
        },
    )


def _summary(
    filings: Sequence[DigestFiling], total: int, since: datetime, plan: DigestPlan, scope: str
) -> str:
    """`3 new filings of watched companies recorded since Mon 9 Mar 07:00 ET, from 2
    companies, 1 with Item 1.01.` — and which days' digests this one stands for."""
    noun = "filing" if total == 1 else "filings"
    whose = "of watched companies" if scope == "all" else "that notified"
    if not total:
        text = f"No new filings {whose} since {_et(since)}."
    else:
        companies = len({f.cik for f in filings})
        deals = sum(1 for f in filings if any(number == "1.01" for number, _ in f.items))
        text = f"{total} new {noun} {whose} recorded since {_et(since)}, from {companies} "
        text += "company" if companies == 1 else "companies"
        text += f", {deals} with Item 1.01." if deals else "."
        if total > len(filings):
            text += f" The first {len(filings)} are listed; the rest follow in the next digest."
    missed = plan.missed_days
    if missed:
        days = ", ".join(_day(d) for d in missed)
        were = "were" if len(missed) > 1 else "was"
        text += (
            f" It covers {len(missed) + 1} days: edgarwatch was not running when the digest "
            f"of {days} {were} due."
        )
    return text


def _groups(filings: Sequence[DigestFiling]) -> tuple[Group, ...]:
    by_company: dict[int, list[DigestFiling]] = {}
    for filing in filings:
        by_company.setdefault(filing.cik, []).append(filing)
    groups = []
    for cik, listed in by_company.items():
        company = clean_line(listed[0].company) or f"CIK {cik}"
        entries = tuple(_entry(f) for f in sorted(listed, key=_accepted_key))
        groups.append((company.casefold(), cik, Group(f"{company} (CIK {cik})", entries)))
    return tuple(group for _, _, group in sorted(groups, key=lambda g: (g[0], g[1])))


def _entry(filing: DigestFiling) -> Entry:
    numbers = sorted(filing.items, key=lambda item: _order(item[0]))
    items = "; ".join(
        f"{number} {clean_line(title)}" if title else number for number, title in numbers
    )
    text = form_label(filing.form) + (
        f" · Item{'s' if len(numbers) > 1 else ''} {items}" if items else ""
    )
    if filing.accepted_at is not None:
        text += f" · accepted {as_eastern(filing.accepted_at):%Y-%m-%d %H:%M} ET"
    elif filing.filed is not None:
        text += f" · filed {filing.filed.isoformat()}"
    notes = [clean_line(filing.headline).rstrip(".")] if filing.headline else []
    if filing.amends:
        notes.append(amends_text(filing.amends, filing.amends_filed))
    url = safe_url(filing.url) or ""
    return Entry(text=text, note="; ".join(notes), url=url, label="Filing index" if url else "")


def _filing_data(filing: DigestFiling) -> dict[str, Any]:
    return {
        "accession": filing.accession,
        "company": filing.company,
        "cik": filing.cik,
        "form": filing.form,
        "items": [{"number": n, "title": t} for n, t in filing.items],
        "accepted_at": filing.accepted_at.isoformat() if filing.accepted_at else None,
        "headline": filing.headline or None,
        "amends": filing.amends,
        "url": filing.url,
    }


def _accepted_key(filing: DigestFiling) -> tuple[float, str]:
    moment = filing.accepted_at
    return (moment.timestamp() if moment else float("inf"), filing.accession)


def _order(number: str) -> tuple[int, int, str]:
    try:
        return (*sort_key(number), number)
    except ValueError:
        return (999, 999, number)


def _day(day: date) -> str:
    """`Tue 10 Mar`."""
    return f"{day:%a} {day.day} {day:%b}"


def _et(moment: datetime) -> str:
    local = moment.astimezone(EASTERN)
    return f"{_day(local.date())} {local:%H:%M} ET"


def _et_time(moment: datetime) -> str:
    return f"{moment.astimezone(EASTERN):%H:%M} ET"


def _filed_since(moment: datetime) -> str:
    return moment.astimezone(EASTERN).date().isoformat()


__all__ = ["digest_message"]
