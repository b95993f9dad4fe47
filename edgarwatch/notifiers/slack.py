"""Slack: a Block Kit message posted to an incoming webhook."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

from edgarwatch.filing import FilingReport
from edgarwatch.notifiers.base import Delivery, register
from edgarwatch.notifiers.http import HttpNotifier
from edgarwatch.notifiers.message import Message, fit_entries, more_text
from edgarwatch.notifiers.notice import DealView, Link, Notice
from edgarwatch.notifiers.plain import facts as fact_rows
from edgarwatch.notifiers.render import render
from edgarwatch.notifiers.summary import Burst, SummaryLine, SummaryNotice, render_summary
from edgarwatch.notifiers.text import trim
from edgarwatch.secrets import Secret
from edgarwatch.settings import setting

logger = logging.getLogger(__name__)

# Block Kit limits (api.slack.com/reference/block-kit/blocks): a message holds
# at most 50 blocks; a section's text at most 3,000 characters and each of its
# fields 2,000; a header's plain_text 150; a context block 10 elements.
MAX_BLOCKS = 50
SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
HEADER_LIMIT = 150
FALLBACK_LIMIT = 3000
DESCRIPTION_LIMIT = 80
MAX_DEAL_BLOCKS = 5
"""Agreements shown as their own sections; more are counted in a context line."""
SUMMARY_LINES_PER_SECTION = 5
SUMMARY_LINE_LIMIT = SECTION_LIMIT // SUMMARY_LINES_PER_SECTION - 1

# Incoming webhooks answer with an HTTP status and a plain-text error string
# (https://api.slack.com/messaging/webhooks#handling_errors). These mean the
# webhook, its channel or our payload is wrong: sending the same thing again
# cannot succeed, so the row goes straight to dead, with a hint for the operator.
PERMANENT_ERRORS: dict[str, str] = {
    "invalid_payload": "Slack could not read the message (400)",
    "user_not_found": "the webhook's user is gone (400)",
    "channel_not_found": "the webhook's channel was deleted (400/404)",
    "channel_is_archived": "the webhook's channel is archived (410)",
    "action_prohibited": "a workspace admin restricted posting (400/403)",
    "posting_to_general_channel_denied": "only admins may post to #general (400)",
    "too_many_attachments": "the message has too many attachments (400)",
    "invalid_token": "the webhook's app or its installer was removed: create a new webhook (403)",
    "no_service": "the webhook was disabled or revoked: create a new one (404)",
    "no_team": "the workspace no longer exists (404)",
}
# Any other 4xx is final too; 429 and 5xx are retried after Retry-After (Slack:
# "respect the Retry-After header"): the status classes of notifiers/http.py.


def escape(text: str) -> str:
    """Escape Slack's three control characters (api.slack.com "Formatting text").

    `&`, `<` and `>` start entities, links and mentions (`<!channel>`,
    `<@U123>`, `<https://evil|click>`); escaped, a filer's text arrives as
    literal text and can neither ping a channel nor disguise a link.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fit(text: str, limit: int) -> str:
    """`text` escaped and trimmed (at a word boundary) so the *escaped* form fits.

    Escaping lengthens text (`&` → `&amp;`), and Slack's limits count the
    characters it receives, so trim, escape, measure, and trim harder.
    """
    budget = limit
    while True:
        escaped = escape(trim(text, budget))
        if len(escaped) <= limit or budget <= 1:
            return escaped[:limit]
        budget = max(1, min(budget - 1, budget * limit // len(escaped)))


def link(url: str, label: str) -> str:
    """`<url|label>` from a URL render.safe_url produced and an escaped label."""
    return f"<{escape(url)}|{fit(label, 200)}>"


@dataclass(frozen=True)
class SlackSettings:
    """[slack] (or [channels.NAME] with kind = "slack")."""

    name: str
    webhook_url: Secret = setting(url=True)
    timeout: float = setting(10.0, minimum=0.1)
    min_interval_seconds: float = setting(1.0, minimum=0)
    coalesce_above: int = setting(10, minimum=0)
    kind: Literal["slack"] = "slack"


@register
class SlackNotifier(HttpNotifier):
    """[slack] Post each filing to a Slack channel through an incoming webhook.

    Create the webhook in Slack (Apps → Incoming Webhooks → Add to Slack, pick
    the channel) and configure its URL:

        [slack]
        webhook_url = "https://hooks.slack.com/services/T…/B…/…"  # or $EDGARWATCH_SLACK_WEBHOOK_URL
        timeout = 10      # seconds, for connecting and for each read
        min_interval_seconds = 1   # Slack: "no more than one message per second"
        coalesce_above = 10        # more due at once: summaries (0: never)

    The message opens with what was signed (each agreement's headline, its
    parties and amounts, a link to the exhibit that files it), then names the
    company, the form, the items with their titles, the accepted time (ET),
    the text of the items that triggered the rule, and links to the filing
    index and any EX-10 agreement. The webhook URL is a secret: it is never
    logged or shown.
    """

    kind = "slack"
    settings_type = SlackSettings
    settings: SlackSettings

    service = "Slack"
    endpoint = "Slack webhook"
    silent_answer = "no error given"
    max_summary_lines = 40
    """8 sections of 5 lines of at most 599 characters, a header and a footer: 10 blocks."""

    def send(self, report: FilingReport, delivery: Delivery) -> None:
        self.post(self.settings.webhook_url.reveal(), json=message(render(report, delivery)))
        logger.info(
            "slack %s: posted %s (delivery %s)", self.name, report.filing.accession, delivery.id
        )

    def send_summary(self, burst: Burst) -> None:
        notice = render_summary(burst)
        self.post(self.settings.webhook_url.reveal(), json=summary_message(notice))
        logger.info("slack %s: posted a summary of %d filings", self.name, len(notice.lines))

    def send_message(self, message: Message, delivery: Delivery) -> None:
        payload = message_payload(message, delivery, self.message_capacity)
        self.post(self.settings.webhook_url.reveal(), json=payload)
        logger.info("slack %s: posted a %s (delivery %s)", self.name, message.kind, delivery.id)

    def redirect_hint(self) -> str:
        return f" (a redirect: check {self.config_key('webhook_url')})"

    def explain(self, status: int, body: str) -> str:
        """Slack's error strings that say the webhook or its channel is gone (PERMANENT_ERRORS)."""
        return f" ({PERMANENT_ERRORS[body]})" if body in PERMANENT_ERRORS else ""


# --------------------------------------------------------------------------- message


def message(notice: Notice) -> dict[str, Any]:
    """The webhook payload: Block Kit blocks plus a plain `text` fallback.

    `text` is what notifications, screen readers and old clients show
    (Slack: "the text field is used as a fallback when blocks are present").
    Link previews are off: an SEC index page unfurls into noise.
    """
    return {
        "text": fallback(notice),
        "blocks": blocks(notice),
        "unfurl_links": False,
        "unfurl_media": False,
    }


def fallback(notice: Notice) -> str:
    text = fit(notice.subject, FALLBACK_LIMIT - 1400)
    if notice.accepted:
        text += f" (accepted {escape(notice.accepted)})"
    if notice.headline:
        text += ": " + fit(notice.headline, 1000)
    if notice.filing_url:
        text += " " + link(notice.filing_url, "Filing index")
    return text


def blocks(notice: Notice) -> list[dict[str, Any]]:
    """Header, the deal terms (headline, then parties and amounts as fields), facts, one
    section per triggering item, other items, links, footer."""
    head = [header(notice), *deals(notice), facts(notice)]
    tail = [b for b in (other_items(notice), links(notice.links), footer(notice)) if b]
    room = MAX_BLOCKS - len(head) - len(tail)
    views = notice.triggered
    item_blocks = [section(item_text(v.label, v.text)) for v in views]
    if len(item_blocks) > room:
        rest = views[room - 1 :]
        more = ", ".join(v.number for v in rest)
        note = section(fit(f"…and {len(rest)} more items: {more}", SECTION_LIMIT))
        item_blocks = [*item_blocks[: room - 1], note]
    return head + item_blocks + tail


def header(notice: Notice) -> dict[str, Any]:
    """`IMMUNOGEN INC — 8-K Item 1.01` as plain_text; a long name gives way, not the item."""
    suffix = escape(notice.title.removeprefix(notice.company))
    company = fit(notice.company, max(HEADER_LIMIT - len(suffix), 20))
    text = (company + suffix)[:HEADER_LIMIT]
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": False}}


def deals(notice: Notice) -> list[dict[str, Any]]:
    """One section per agreement: the headline as its text, parties, amounts and the
    exhibit as its fields; past MAX_DEAL_BLOCKS, a context line counting the rest."""
    shown = notice.deals[:MAX_DEAL_BLOCKS]
    result = [deal_section(deal) for deal in shown]
    more = len(notice.deals) - len(shown) + sum(view.more_deals for view in notice.triggered)
    if more > 0:
        note = f"…and {more} more agreement{'s' if more > 1 else ''}: see the item text"
        result.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
    return result


def deal_section(deal: DealView) -> dict[str, Any]:
    fields = []
    if deal.parties:
        parties = [f"{name} — {role}" for name, role in deal.parties]
        fields.append(_field("Parties", parties, deal.more_parties))
    if deal.amounts:
        fields.append(_field("Amounts", list(deal.amounts)))
    if deal.exhibit is not None:
        linked = link(deal.exhibit.url, deal.exhibit_type)
        fields.append({"type": "mrkdwn", "text": f"*Agreement*\n{linked}"})
    elif deal.exhibit_type:
        fields.append(_field("Agreement", [deal.exhibit_type]))
    block: dict[str, Any] = section(f"*{fit(deal.headline, SECTION_LIMIT - 2)}*")
    if fields:
        block["fields"] = fields
    return block


def _field(label: str, lines: list[str], more: int = 0) -> dict[str, str]:
    """`*label*` over one line each, as many as fit a field, then how many more."""
    kept: list[str] = []
    room = FIELD_LIMIT - len(label) - 40
    for line in lines:
        escaped = fit(line, 300)
        if len(escaped) + 1 > room:
            break
        kept.append(escaped)
        room -= len(escaped) + 1
    rest = len(lines) - len(kept) + more
    if rest:
        kept.append(f"…and {rest} more")
    return {"type": "mrkdwn", "text": f"*{label}*\n" + "\n".join(kept)}


def facts(notice: Notice) -> dict[str, Any]:
    """The summary as section fields (at most 10, each at most 2,000 characters)."""
    fields = []
    for label, value in fact_rows(notice):
        body = fit(value, FIELD_LIMIT - 100)
        if label == "Accession" and notice.filing_url:
            linked = link(notice.filing_url, value)
            body = linked if len(linked) <= FIELD_LIMIT - 100 else body
        fields.append({"type": "mrkdwn", "text": f"*{label}*\n{body}"})
    return {"type": "section", "fields": fields[:10]}


def item_text(label: str, text: str) -> str:
    heading = f"*{fit(label, 300)}*"
    if not text:
        return heading
    return f"{heading}\n{fit(text, SECTION_LIMIT - len(heading) - 1)}"


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def other_items(notice: Notice) -> dict[str, Any] | None:
    if not notice.other_items:
        return None
    listed = "; ".join(view.label for view in notice.other_items)
    text = fit(f"Also reported: {listed}", SECTION_LIMIT)
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def links(items: tuple[Link, ...]) -> dict[str, Any] | None:
    """Links as mrkdwn `<url|label>`: buttons would need an interactive app."""
    if not items:
        return None
    parts = []
    for item in items:
        label = item.label
        if item.description:
            label += ": " + trim(item.description, DESCRIPTION_LIMIT)
        parts.append(link(item.url, label))
    text = ""
    for part in parts:
        candidate = f"{text} · {part}" if text else part
        if len(candidate) > SECTION_LIMIT:
            break
        text = candidate
    return section(text)


def footer(notice: Notice) -> dict[str, Any]:
    text = f"edgarwatch · rule {notice.rule} · delivery {notice.delivery_id}"
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": fit(text, SECTION_LIMIT)}]}


# --------------------------------------------------------------------------- summary


def summary_message(notice: SummaryNotice) -> dict[str, Any]:
    """A burst as one message: a header, five filings per section, a footer."""
    lines = [summary_line(line) for line in notice.lines]
    step = SUMMARY_LINES_PER_SECTION
    sections = [section("\n".join(lines[i : i + step])) for i in range(0, len(lines), step)]
    companies = "; ".join(line.company for line in notice.lines)
    head = {"type": "plain_text", "text": fit(notice.title, HEADER_LIMIT), "emoji": False}
    foot = {"type": "mrkdwn", "text": fit(notice.footer, SECTION_LIMIT)}
    return {
        "text": fit(f"{notice.title}: {companies}", FALLBACK_LIMIT),
        "blocks": [
            {"type": "header", "text": head},
            *sections,
            {"type": "context", "elements": [foot]},
        ],
        "unfurl_links": False,
        "unfurl_media": False,
    }


def summary_line(line: SummaryLine) -> str:
    """`• *COMPANY* — 8-K Item 1.01 · 2026-03-02 16:05 ET · <index|Filing index> · <…|Agreement>`;
    links that would not fit the line's share of its section are left out."""
    text = f"• *{fit(line.company, 120)}* — {fit(f'{line.form_label} {line.item_labels}', 120)}"
    if line.accepted:
        text += f" · {escape(line.accepted)}"
    links = [(line.filing_url, "Filing index")]
    if line.agreement is not None:
        links.append((line.agreement.url, line.agreement.label))
    for url, label in links:
        candidate = f"{text} · {link(url, label)}" if url else text
        if len(candidate) <= SUMMARY_LINE_LIMIT:
            text = candidate
    return text


# --------------------------------------------------------------------------- digest, alarm


def message_payload(message: Message, delivery: Delivery, capacity: int) -> dict[str, Any]:
    """A digest or an alarm: header, summary, the entries (a heading line per group, one
    line per entry, packed into sections of at most 3,000 characters), what was left out,
    a footer with the delivery id. At most `capacity` entries: with 600 characters a line
    that is at most 8 sections for 40 entries, far under 50 blocks."""
    groups, omitted = fit_entries(message, capacity)
    lines: list[str] = []
    for group in groups:
        if group.heading:
            lines.append(f"*{fit(group.heading, 300)}*")
        lines += [
            message_line(entry.text, entry.note, entry.url, entry.label) for entry in group.entries
        ]
    head = {"type": "plain_text", "text": fit(message.title, HEADER_LIMIT), "emoji": False}
    blocks: list[dict[str, Any]] = [{"type": "header", "text": head}]
    if message.summary:
        blocks.append(section(fit(message.summary, SECTION_LIMIT)))
    blocks += [section(text) for text in _packed(lines)]
    notes = [more_text(omitted, message)] if omitted else []
    notes.append(" · ".join(p for p in (message.footer, f"delivery {delivery.id}") if p))
    blocks += [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": fit(note, SECTION_LIMIT)}]}
        for note in notes
    ]
    text = message.title + (f": {message.summary}" if message.summary else "")
    return {
        "text": fit(text, FALLBACK_LIMIT),
        "blocks": blocks[:MAX_BLOCKS],
        "unfurl_links": False,
        "unfurl_media": False,
    }


def message_line(text: str, note: str, url: str, label: str) -> str:
    """`• 8-K Item 1.01 … · accepted … — headline · <url|Filing index>`, at most ~600 chars."""
    line = f"• {fit(text, 300)}"
    if note:
        line += f" — {fit(note, 240)}"
    if url:
        line += f" · {link(url, label or 'Link')}"
    return line


def _packed(lines: list[str]) -> list[str]:
    """Lines joined into as few section texts of at most SECTION_LIMIT characters as fit."""
    sections: list[str] = []
    current = ""
    for line in lines:
        line = line[:SECTION_LIMIT]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > SECTION_LIMIT:
            sections.append(current)
            candidate = line
        current = candidate
    if current:
        sections.append(current)
    return sections
