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
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from urllib.parse import quote, urlsplit

from edgarwatch.agreement import Agreement, format_amount, headline, party_name
from edgarwatch.filing import EASTERN, Company, Exhibit, Filing, FilingReport, Item
from edgarwatch.items import sort_key, title_for
from edgarwatch.notifiers.base import Delivery

ELLIPSIS = "…"
SUBJECT_LIMIT = 180
"""Subjects longer than this are trimmed: mail clients show ~80 characters and
RFC 5322 (2.1.1) recommends lines of at most 78; the item numbers come first."""

# C0/C1 controls except \t and \n, zero-width characters, bidi embeddings and
# isolates (Unicode TR #9): invisible, and able to reorder what a reader sees.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")

MAX_DEALS = 5
"""Agreements shown per item; an item describing more says how many more."""
MAX_PARTIES = 12
"""Parties shown per agreement (a syndicated loan can name dozens of lenders)."""

LinkKind = Literal["index", "document", "agreement", "press_release"]


@dataclass(frozen=True)
class Link:
    """A link we built from EDGAR's data: our own label, the filer's description."""

    kind: LinkKind
    label: str
    url: str
    description: str = ""


@dataclass(frozen=True)
class DealView:
    """One agreement as shown: what was signed, with whom, for how much, where to read it.

    `parties` are (name, role) pairs, the name with the short name the filing
    gives it ("Società Italiana Corticosteroidi S.r.l (SICOR)"); `amounts` are
    `format_amount`'s ("EUR 5,000,000 purchase price"); `exhibit` is the link
    to the exhibit that files the agreement when the filing lists it, and
    `exhibit_type` its type ("EX-10.1") either way.
    """

    headline: str
    parties: tuple[tuple[str, str], ...] = ()
    amounts: tuple[str, ...] = ()
    exhibit_type: str = ""
    exhibit: Link | None = None
    more_parties: int = 0


@dataclass(frozen=True)
class ItemView:
    """One item as shown: cleaned title, text trimmed to the channel's budget, deal terms."""

    number: str
    title: str
    text: str = ""
    deals: tuple[DealView, ...] = ()
    more_deals: int = 0

    @property
    def label(self) -> str:
        """`Item 1.01 — Entry into a Material Definitive Agreement`."""
        return f"Item {self.number} — {self.title}" if self.title else f"Item {self.number}"


@dataclass(frozen=True)
class Notice:
    """Everything a channel needs to say about one filing, cleaned but not escaped."""

    company: str
    cik: int
    other_companies: tuple[Company, ...]
    form: str
    form_label: str
    accession: str
    accepted: str
    title: str
    subject: str
    triggered: tuple[ItemView, ...]
    other_items: tuple[ItemView, ...]
    links: tuple[Link, ...]
    filing_url: str
    rule: str
    delivery_id: str
    party_watch: tuple[str, ...] = ()
    """Watched party names that are why this filing notifies (`watch.parties`)."""
    amends: str = ""
    """An 8-K/A: `amends 8-K of 2007-05-04 (accession 0001104659-07-034567)`."""
    changes: tuple[tuple[str, str], ...] = ()
    """An 8-K/A: (item number, a short word diff) for each item it and its original
    both have text for."""

    @property
    def deals(self) -> tuple[DealView, ...]:
        """The agreements of the triggering items, in form order."""
        return tuple(deal for view in self.triggered for deal in view.deals)

    @property
    def headline(self) -> str:
        """What was signed, in one line: the first triggering agreement's; "" when none."""
        deals = self.deals
        return deals[0].headline if deals else ""


def render(report: FilingReport, delivery: Delivery, *, text_limit: int | None = None) -> Notice:
    """Build the notice; item text is trimmed to `text_limit` characters when given."""
    filing = report.filing
    company = clean_line(filing.company) or f"CIK {filing.cik}"
    triggered = triggered_items(report, delivery, text_limit)
    form_text = form_label(filing.form)
    title = f"{company} — {form_text}"
    if triggered:
        title += " " + _item_numbers(triggered)
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
        amends=_amends(report),
        changes=changes(report),
    )


# --------------------------------------------------------------------------- text


def clean_line(value: str | None) -> str:
    """One line of filer text: invisible characters gone, whitespace collapsed."""
    if not value:
        return ""
    return " ".join(_INVISIBLE.sub("", value.replace("\r", " ").replace("\n", " ")).split())


def clean_text(value: str | None) -> str:
    """Filer prose: invisible characters gone, paragraphs kept, spacing collapsed."""
    if not value:
        return ""
    text = _INVISIBLE.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def trim(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary, ending in "…".

    Cutting mid-word reads as a typo; cutting at the last space is only done
    when it keeps most of the budget (a 2,000-character URL has no spaces).
    """
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[:limit]
    cut = text[: limit - len(ELLIPSIS)]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space >= len(cut) * 0.6:
        cut = cut[:space]
    return cut.rstrip(" \n,;:-—") + ELLIPSIS


def form_label(form: str) -> str:
    """`8-K`, or `8-K/A (amendment)`: people skim past the "/A" otherwise."""
    form = clean_line(form)
    return f"{form} (amendment)" if form.upper().endswith("/A") else form


def accepted_label(filing: Filing) -> str:
    """`2007-05-04 16:05 ET` (EDGAR's clock), the filed date alone, or ""."""
    if filing.accepted_at is not None:
        return f"{as_eastern(filing.accepted_at):%Y-%m-%d %H:%M} ET"
    if filing.filed is not None:
        return filing.filed.isoformat()
    return ""


def as_eastern(moment: datetime) -> datetime:
    """An aware time in US Eastern; a naive one is taken to be EDGAR's own (Eastern)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=EASTERN)
    return moment.astimezone(EASTERN)


def subject(company: str, form_text: str, triggered: tuple[ItemView, ...]) -> str:
    """`IMMUNOGEN INC — 8-K Item 1.01: Entry into a Material Definitive Agreement`.

    Several items: `Items 1.01 and 2.03: <title>; <title>`, trimmed as a whole
    to SUBJECT_LIMIT so the numbers always survive.
    """
    line = f"{company} — {form_text}"
    if not triggered:
        return trim(line, SUBJECT_LIMIT)
    titles = "; ".join(view.title for view in triggered if view.title)
    line = f"{line} {_item_numbers(triggered)}"
    return trim(f"{line}: {titles}", SUBJECT_LIMIT) if titles else trim(line, SUBJECT_LIMIT)


def _item_numbers(views: tuple[ItemView, ...]) -> str:
    """`Item 1.01`, `Items 1.01 and 2.03`, `Items 1.01, 2.03, 3.02, 5.02 and 3 more`."""
    numbers = [view.number for view in views]
    if len(numbers) == 1:
        return f"Item {numbers[0]}"
    if len(numbers) > 5:
        numbers = [*numbers[:4], f"{len(numbers) - 4} more"]
    return f"Items {', '.join(numbers[:-1])} and {numbers[-1]}"


# --------------------------------------------------------------------------- amendments

DIFF_LIMIT = 300
"""Characters of word diff per item: enough to see what changed, the link has the rest."""
REWRITTEN_BELOW = 0.35
"""Texts less alike than this (difflib's ratio) are said to be rewritten, not diffed."""


def amends_text(accession: str, filed: date | None, form: str = "8-K") -> str:
    """`amends 8-K of 2007-05-04 (accession 0001104659-07-034567)`."""
    when = f" of {filed.isoformat()}" if filed else ""
    return f"amends {clean_line(form) or '8-K'}{when} (accession {accession})"


def _amends(report: FilingReport) -> str:
    amended = report.amends
    return amends_text(amended.accession, amended.filed, amended.form) if amended else ""


def changes(report: FilingReport) -> tuple[tuple[str, str], ...]:
    """What changed in each item the amendment and its original both have text for."""
    amended = report.amends
    if amended is None:
        return ()
    before = {item.number: clean_text(item.text) for item in amended.items if item.text}
    found = []
    for item in report.items:
        old, new = before.get(item.number), clean_text(item.text)
        if old and new:
            found.append((item.number, word_diff(old, new)))
    return tuple(found)


def word_diff(old: str, new: str, limit: int = DIFF_LIMIT) -> str:
    """A short word diff: `will pay [− five] [+ six] million Euros …`, two words of context
    around each change, trimmed to `limit`; "no change to the text", or "rewritten (…)"
    when the texts have too little in common for a diff to say anything."""
    a, b = old.split(), new.split()
    if a == b:
        return "no change to the text"
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    if matcher.ratio() < REWRITTEN_BELOW:
        return f"rewritten ({len(a)} words before, {len(b)} now)"
    parts = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        words = a[max(0, i1 - 2) : i1]
        if tag in ("replace", "delete"):
            words.append(f"[− {' '.join(a[i1:i2])}]")
        if tag in ("replace", "insert"):
            words.append(f"[+ {' '.join(b[j1:j2])}]")
        words += a[i2 : i2 + 2]
        parts.append(" ".join(words))
    return trim(" … ".join(parts), limit)


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


# --------------------------------------------------------------------------- links


def links(report: FilingReport) -> tuple[Link, ...]:
    """Filing index, the 8-K document, then material contracts and press releases."""
    filing = report.filing
    result: list[Link] = []
    index = safe_url(filing.url)
    if index:
        result.append(Link("index", "Filing index", index))
    for exhibit in report.exhibits:
        link = _exhibit_link(filing, exhibit)
        if link is not None:
            result.append(link)
    return tuple(result)


def _exhibit_link(filing: Filing, exhibit: Exhibit) -> Link | None:
    url = safe_url(exhibit.url)
    if url is None:
        return None
    kind_type = clean_line(exhibit.type).upper()
    description = clean_line(exhibit.description) or clean_line(exhibit.document)
    if exhibit.is_material_contract:
        return Link("agreement", f"Agreement ({kind_type})", url, description)
    if exhibit.is_press_release:
        return Link("press_release", f"Press release ({kind_type})", url, description)
    is_primary = exhibit.document == filing.primary_document
    if is_primary or kind_type == clean_line(filing.form).upper():
        return Link("document", f"{kind_type} document", url, clean_line(exhibit.document))
    return None


def safe_url(url: str | None) -> str | None:
    """An http(s) URL with `<`, `>`, `|`, quotes and spaces percent-encoded, else None.

    Those characters end a Slack `<url|label>` link or an HTML attribute
    (Slack "Formatting text": links are `<url|text>`); encoding them keeps a
    hostile document name inside the URL it belongs to.
    """
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return quote(url.strip(), safe="/:?#[]@!$&'()*+,;=%~-._")


# --------------------------------------------------------------------------- plain text


def opening(notice: Notice) -> list[str]:
    """The lines a message opens with: each triggering agreement's headline (what was
    signed), at most three, then how many more; none when no item describes one."""
    deals = notice.deals
    lines = [deal.headline for deal in deals[:3]]
    more = len(deals) - 3 + sum(view.more_deals for view in notice.triggered)
    if deals and more > 0:
        lines.append(f"…and {more} more agreement{'s' if more > 1 else ''}.")
    return lines


def deal_lines(deal: DealView, *, with_headline: bool) -> list[str]:
    """One agreement's terms as text lines (parties one a line, with their roles)."""
    rows: list[tuple[str, str]] = [("Deal", deal.headline)] if with_headline else []
    rows += [
        ("Parties" if n == 0 else "", f"{name} — {role}")
        for n, (name, role) in enumerate(deal.parties)
    ]
    if deal.more_parties:
        rows.append(("", f"…and {deal.more_parties} more"))
    rows += [("Amounts" if n == 0 else "", amount) for n, amount in enumerate(deal.amounts)]
    if deal.exhibit is not None:
        rows.append(("Agreement", f"{deal.exhibit_type}: {deal.exhibit.url}"))
    elif deal.exhibit_type:
        rows.append(("Agreement", deal.exhibit_type))
    return [f"{label + ':' if label else '':<11}{value}" for label, value in rows]


def plain_text(notice: Notice) -> str:
    """The notice as plain text: the email's text part and the console's output.

    It opens with the headline; the item's deal terms come before its text."""
    lead = opening(notice)
    lines = [*lead, ""] if lead else []
    lines += [notice.subject, ""]
    lines += _facts(notice)
    several = len(notice.deals) > 1
    for view in notice.triggered:
        lines += ["", view.label]
        for deal in view.deals:
            lines += ["", *deal_lines(deal, with_headline=several)]
        if view.more_deals:
            lines += ["", f"…and {view.more_deals} more agreements in this item."]
        if view.text:
            lines += ["", view.text]
    if notice.other_items:
        lines += ["", "Also reported: " + "; ".join(v.label for v in notice.other_items)]
    if notice.links:
        lines.append("")
        lines += [f"{_link_text(link)}: {link.url}" for link in notice.links]
    return "\n".join(lines) + "\n"


def facts(notice: Notice) -> list[tuple[str, str]]:
    """(label, value) pairs every channel shows in its summary."""
    rows = [("Company", f"{notice.company} (CIK {notice.cik})"), ("Form", notice.form_label)]
    if notice.party_watch:
        rows.insert(0, ("Why", "party watch: " + ", ".join(notice.party_watch)))
    if notice.other_companies:
        others = "; ".join(
            f"{c.name} ({c.role + ', ' if c.role else ''}CIK {c.cik})"
            for c in notice.other_companies
        )
        rows.append(("Also on the filing", others))
    if notice.amends:
        rows.append(("Amends", notice.amends.removeprefix("amends ")))
    rows += [(f"Changed in Item {number}", diff) for number, diff in notice.changes]
    if notice.accepted:
        rows.append(("Accepted", notice.accepted))
    rows.append(("Accession", notice.accession))
    return rows


def _facts(notice: Notice) -> list[str]:
    rows = facts(notice)
    width = max(len(label) for label, _ in rows) + 2
    return [f"{label + ':':<{width}}{value}" for label, value in rows]


def _link_text(link: Link) -> str:
    return f"{link.label} — {link.description}" if link.description else link.label
