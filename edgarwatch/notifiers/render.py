"""What a notification says, before any channel decides how to say it.

`render(report, delivery)` turns one filing report into a `Notice`: the
subject line, the accepted time in Eastern time (EDGAR's own clock), the items
that triggered the rule first with their titles, text and deal terms (each
agreement's one-line headline, its parties with their roles, its amounts and
the exhibit that files it), the other items the filing reports by number and
title, and the links people click: the filing index, the material contracts
(EX-10.x, Reg S-K Item 601(b)(10)) and press releases (EX-99.x). Every
channel leads with the headline: it says what was signed.

Every filer-controlled string (company names, item text, exhibit descriptions,
document names) is *cleaned* here: control characters and bidirectional
overrides removed, whitespace collapsed, so no channel can be handed a
terminal escape sequence, a header-splitting newline or a right-to-left
spoof. Nothing is *escaped* here: escaping belongs to the channel, because
Slack mrkdwn and HTML have different rules. URLs are passed only when they are
plain http(s) and carry no character that could break out of a link.

The parts: `notice.py` (the `Notice` and its views), `text.py` (cleaning,
limits and labels), `changes.py` (what an amendment changed), `links.py`
(the links, URLs checked) and `plain.py` (a notice as plain text).
"""

from __future__ import annotations

from edgarwatch.agreement import Agreement, format_amount, headline, party_name
from edgarwatch.filing import Company, Filing, FilingReport, Item
from edgarwatch.items import sort_key, title_for
from edgarwatch.notifiers.base import Delivery
from edgarwatch.notifiers.changes import amends_line, changes
from edgarwatch.notifiers.links import links, safe_url
from edgarwatch.notifiers.notice import MAX_DEALS, MAX_PARTIES, DealView, ItemView, Link, Notice
from edgarwatch.notifiers.text import (
    accepted_label,
    clean_line,
    clean_text,
    form_label,
    item_numbers,
    subject,
    trim,
)


def render(report: FilingReport, delivery: Delivery, *, text_limit: int | None = None) -> Notice:
    """Build the notice; item text is trimmed to `text_limit` characters when given."""
    filing = report.filing
    company = clean_line(filing.company) or f"CIK {filing.cik}"
    triggered = triggered_items(report, delivery, text_limit)
    form_text = form_label(filing.form)
    title = f"{company} — {form_text}"
    if triggered:
        title += " " + item_numbers(triggered)
    return Notice(
        company=company,
        cik=filing.cik,
        other_companies=_other_companies(filing),
        form=clean_line(filing.form),
        form_label=form_text,
        accession=filing.accession,
        accepted=accepted_label(filing),
        title=title,
        subject=subject(company, form_text, triggered),
        triggered=triggered,
        other_items=other_items(report, {view.number for view in triggered}),
        links=links(report),
        filing_url=safe_url(filing.url) or "",
        rule=clean_line(delivery.rule),
        delivery_id=delivery.id,
        party_watch=tuple(clean_line(name) for name in report.party_watch),
        amends=amends_line(report),
        changes=changes(report),
    )


# --------------------------------------------------------------------------- items


def triggered_items(
    report: FilingReport, delivery: Delivery, text_limit: int | None
) -> tuple[ItemView, ...]:
    """The items the rule matched, in form order, with their text.

    An item EDGAR declared but whose text was not extracted is still shown,
    by its official title: the notification must not wait for the document.
    """
    numbers = sorted(set(delivery.items), key=_order)
    return tuple(_view(report, number, text_limit) for number in numbers)


def other_items(report: FilingReport, exclude: set[str]) -> tuple[ItemView, ...]:
    """Every other item the filing reports (declared or found), by number and title."""
    numbers = {item.number for item in report.items + report.document_only_items}
    numbers.update(report.filing.items)
    return tuple(_view(report, number, 0) for number in sorted(numbers - exclude, key=_order))


def _view(report: FilingReport, number: str, text_limit: int | None) -> ItemView:
    item = _find_item(report, number)
    title = clean_line(item.title if item and item.title else title_for(number))
    text = clean_text(item.text if item else None)
    if text_limit is not None:
        text = trim(text, text_limit) if text_limit > 0 else ""
    if text_limit == 0:  # listed by title only: no deal terms either
        return ItemView(number=number, title=title)
    agreements = item.agreements if item else ()
    deals = tuple(deal_view(report, agreement) for agreement in agreements[:MAX_DEALS])
    more = max(0, len(agreements) - MAX_DEALS)
    return ItemView(number=number, title=title, text=text, deals=deals, more_deals=more)


def deal_view(report: FilingReport, agreement: Agreement) -> DealView:
    """The agreement as every channel shows it: cleaned, not escaped."""
    parties = tuple(
        (clean_line(party_name(party)), clean_line(party.role))
        for party in agreement.parties[:MAX_PARTIES]
    )
    exhibit_type = clean_line(agreement.exhibit).upper()
    return DealView(
        headline=clean_line(headline(agreement)),
        parties=parties,
        amounts=tuple(clean_line(format_amount(amount)) for amount in agreement.amounts),
        exhibit_type=exhibit_type,
        exhibit=_filed_exhibit(report, exhibit_type),
        more_parties=max(0, len(agreement.parties) - MAX_PARTIES),
    )


def _filed_exhibit(report: FilingReport, exhibit_type: str) -> Link | None:
    """The link to the exhibit of that type ("EX-10.1"), when the filing lists it."""
    if not exhibit_type:
        return None
    for exhibit in report.exhibits:
        url = safe_url(exhibit.url)
        if url and clean_line(exhibit.type).upper() == exhibit_type:
            description = clean_line(exhibit.description) or clean_line(exhibit.document)
            return Link("agreement", f"Agreement ({exhibit_type})", url, description)
    return None


def _find_item(report: FilingReport, number: str) -> Item | None:
    found = report.item(number)
    if found is not None:
        return found
    return next((i for i in report.document_only_items if i.number == number), None)


def _order(number: str) -> tuple[int, int, str]:
    try:
        return (*sort_key(number), number)
    except ValueError:
        return (999, 999, number)


def _other_companies(filing: Filing) -> tuple[Company, ...]:
    primary = filing.primary_company
    seen = {primary.cik}
    others = []
    for company in filing.companies:
        if company.cik not in seen:
            seen.add(company.cik)
            role = clean_line(company.role) if company.role else None
            others.append(Company(company.cik, clean_line(company.name), role))
    return tuple(others)
