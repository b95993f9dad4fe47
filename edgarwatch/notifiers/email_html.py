"""The HTML part of an email: every filer-controlled string escaped here, links only http(s)."""

from __future__ import annotations

import html

from edgarwatch.notifiers.message import Message, fit_entries, more_text
from edgarwatch.notifiers.notice import DealView, Notice
from edgarwatch.notifiers.plain import facts, opening


def html_body(notice: Notice) -> str:
    """The HTML part; every string is escaped, every href one of our http(s) URLs."""
    e = html.escape
    rows = "".join(
        f'<tr><th align="left" style="padding-right:1em">{e(label)}</th><td>{e(value)}</td></tr>'
        for label, value in facts(notice)
    )
    parts = [
        f'<p style="font-size:1.15em"><strong>{e(line)}</strong></p>' for line in opening(notice)
    ]
    parts += [f"<h2>{e(notice.subject)}</h2>", f"<table>{rows}</table>"]
    several = len(notice.deals) > 1
    for view in notice.triggered:
        parts.append(f"<h3>{e(view.label)}</h3>")
        parts += [deal_html(deal, with_headline=several) for deal in view.deals]
        if view.more_deals:
            parts.append(f"<p>…and {view.more_deals} more agreements in this item.</p>")
        paragraphs = (e(p).replace("\n", "<br>\n") for p in view.text.split("\n\n"))
        parts += [f"<p>{p}</p>" for p in paragraphs if p]
    if notice.other_items:
        listed = "; ".join(e(view.label) for view in notice.other_items)
        parts.append(f"<p><strong>Also reported:</strong> {listed}</p>")
    if notice.links:
        items = "".join(
            f'<li><a href="{e(link.url)}">{e(link.label)}</a>'
            + (f" — {e(link.description)}" if link.description else "")
            + "</li>"
            for link in notice.links
        )
        parts.append(f"<ul>{items}</ul>")
    parts.append(f'<p style="color:#666">edgarwatch · rule {e(notice.rule)}</p>')
    head = '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>'
    return "\n".join([head, *parts, "</body></html>"]) + "\n"


def deal_html(deal: DealView, *, with_headline: bool) -> str:
    """One agreement's terms as a small table: parties (one a line, with roles), amounts,
    the exhibit that files it; every string escaped."""
    e = html.escape
    cell = '<tr><th align="left" valign="top" style="padding-right:1em">{}</th><td>{}</td></tr>'
    rows = [cell.format("Deal", e(deal.headline))] if with_headline else []
    parties = [f"{e(name)} — {e(role)}" for name, role in deal.parties]
    if deal.more_parties:
        parties.append(f"…and {deal.more_parties} more")
    if parties:
        rows.append(cell.format("Parties", "<br>".join(parties)))
    if deal.amounts:
        rows.append(cell.format("Amounts", "<br>".join(e(a) for a in deal.amounts)))
    if deal.exhibit is not None:
        linked = f'<a href="{e(deal.exhibit.url)}">{e(deal.exhibit_type)}</a>'
        rows.append(cell.format("Agreement", linked))
    elif deal.exhibit_type:
        rows.append(cell.format("Agreement", e(deal.exhibit_type)))
    return f"<table>{''.join(rows)}</table>"


def message_html(message: Message, capacity: int) -> str:
    """The HTML part: every string escaped, every href one of our http(s) URLs."""
    e = html.escape
    groups, omitted = fit_entries(message, capacity)
    parts = [f"<h2>{e(message.title)}</h2>"]
    if message.summary:
        parts.append(f"<p>{e(message.summary)}</p>")
    for group in groups:
        if group.heading:
            parts.append(f"<h3>{e(group.heading)}</h3>")
        items = "".join(
            f"<li>{e(entry.text)}"
            + (f" — <strong>{e(entry.note)}</strong>" if entry.note else "")
            + (f' · <a href="{e(entry.url)}">{e(entry.label or "Link")}</a>' if entry.url else "")
            + "</li>"
            for entry in group.entries
        )
        parts.append(f"<ul>{items}</ul>")
    if omitted:
        parts.append(f"<p>{e(more_text(omitted, message))}</p>")
    if message.footer:
        parts.append(f'<p style="color:#666">{e(message.footer)}</p>')
    head = '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>'
    return "\n".join([head, *parts, "</body></html>"]) + "\n"
