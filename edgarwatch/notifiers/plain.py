"""A `Notice` as plain text (email bodies, console, Apprise) and as label/value facts."""

from __future__ import annotations

from edgarwatch.notifiers.notice import DealView, Link, Notice

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
