"""Discord: an embed posted to a channel webhook (`/api/v10/webhooks/{id}/{token}?wait=true`).

The URL Discord's UI copies is unversioned (`/api/webhooks/…`); on that route
older API versions answered rate limits in *milliseconds* (discord-api-docs
#2360, #4722; notes/discord.md), so it is rewritten to v10, where they are
seconds. `wait=true` makes Discord confirm the message was saved (200 with the
message) instead of `204` for anything it received, so a refusal is reported.

Limits (discord-api-docs "Embed Limits", measured on what is sent, after
escaping): title 256, description 4,096, 25 fields of name 256 / value 1,024,
footer 2,048, and 6,000 characters across them all; `content` 2,000. Item
text is trimmed to what is left of the 6,000; facts and links are kept.

Filer text is escaped for Discord's Markdown (a company named
`[click](https://evil.example)` would otherwise be a masked link) and
`allowed_mentions: {"parse": []}` is always sent, so `@everyone` in a filing
pings nobody (without it Discord parses mentions from `content`).

Pacing follows Discord's headers: after any answer with
`X-RateLimit-Remaining: 0`, the channel waits `X-RateLimit-Reset-After`
seconds (they can have decimals); a 429's `retry_after` (JSON body, float
seconds) pauses it too. Per webhook, Discord allows about 5 requests in 2 s.

| answer | meaning | here |
| --- | --- | --- |
| 200 (`wait=true`), 204 | saved | sent |
| 404, code 10015 Unknown Webhook | deleted; "you should not attempt to use it again" | permanent |
| 401, code 50027 Invalid Webhook Token | token regenerated | permanent |
| 403 | no permission | permanent |
| 400, code 50035 Invalid Form Body | our payload (a limit) | permanent |
| 429 | rate limited (`retry_after` seconds) | transient, channel paused |
| 5xx, 502 "gateway unavailable" | "wait a bit and retry" | transient |
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from edgarwatch.filing import FilingReport
from edgarwatch.notifiers.base import Delivery, NotifierError, register
from edgarwatch.notifiers.http import HttpNotifier
from edgarwatch.notifiers.message import Message, fit_entries, more_text
from edgarwatch.notifiers.notice import ItemView, Link, Notice
from edgarwatch.notifiers.plain import deal_lines, facts, opening
from edgarwatch.notifiers.render import render
from edgarwatch.notifiers.summary import Burst, SummaryLine, SummaryNotice, render_summary
from edgarwatch.notifiers.text import trim
from edgarwatch.secrets import Secret
from edgarwatch.secrets import register as register_secret
from edgarwatch.settings import setting

logger = logging.getLogger(__name__)

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
CONTENT_LIMIT = 2000
TOTAL_LIMIT = 6000
COLOR = 0x1F6FEB
ITEM_SHARE = 400
"""At least this much of the description per item shown (heading and text)."""

WEBHOOK_PATH = re.compile(r"^/api(?:/v\d+)?/webhooks/(\d+)/([A-Za-z0-9_.-]+)/?$")
ERRORS: dict[int, str] = {
    10015: "the webhook was deleted: create a new one",
    50027: "the webhook's token is not valid (regenerated?): copy its URL again",
    50035: "Discord refused the message's form (a limit)",
}
_CODE = re.compile(r'"code"\s*:\s*(\d+)')
_MARKDOWN = re.compile(r"([\\*_~`|\[\]()<>])")
_LINE_START = re.compile(r"^(\s*)([#>+-]|\d+\.)", re.MULTILINE)


def webhook_path(url: str) -> str | None:
    """The v10 URL of a Discord webhook URL (any API version), with `wait=true`; or None."""
    parts = urlsplit(url)
    found = WEBHOOK_PATH.match(parts.path)
    if not found:
        return None
    path = f"/api/v10/webhooks/{found.group(1)}/{found.group(2)}"
    return urlunsplit((parts.scheme, parts.netloc, path, "wait=true", ""))


@dataclass(frozen=True)
class DiscordSettings:
    """[discord] (or [channels.NAME] with kind = "discord")."""

    name: str
    webhook_url: Secret = setting(url=True)
    username: str | None = None
    timeout: float = setting(10.0, minimum=0.1)
    min_interval_seconds: float = setting(0.0, minimum=0)
    coalesce_above: int = setting(10, minimum=0)
    kind: Literal["discord"] = "discord"

    def problems(self) -> Iterator[tuple[str, str]]:
        if webhook_path(self.webhook_url.reveal()) is None:
            yield "webhook_url", "must be a Discord webhook URL (…/api/webhooks/ID/TOKEN)"


@register
class DiscordNotifier(HttpNotifier):
    """[discord] Post each filing to a Discord channel through a webhook.

    In Discord: the channel's settings → Integrations → Webhooks → New
    Webhook → Copy Webhook URL:

        [discord]
        webhook_url = "https://discord.com/api/webhooks/ID/TOKEN"  # or $EDGARWATCH_DISCORD_WEBHOOK_URL
        username = "edgarwatch"    # optional: the name shown on its messages
        timeout = 10               # seconds, for connecting and for each read
        min_interval_seconds = 0   # Discord's rate-limit headers pace it anyway
        coalesce_above = 10        # more due at once: summaries (0: never)

    An embed with the company, form, items, accepted time (ET), the items'
    text (trimmed to Discord's limits) and links to the filing index and each
    EX-10 agreement. Nobody is pinged, whatever the filing says.
    """

    kind = "discord"
    settings_type = DiscordSettings
    settings: DiscordSettings

    service = "Discord"
    endpoint = "Discord webhook"
    silent_answer = "no error given"
    max_summary_lines = 20
    """20 lines of at most 200 characters: within the description's 4,096."""

    def __init__(self, settings: DiscordSettings) -> None:
        super().__init__(settings)
        rewritten = webhook_path(settings.webhook_url.reveal())
        if rewritten:
            register_secret(rewritten)  # the v10 URL is as secret as the one configured

    def send(self, report: FilingReport, delivery: Delivery) -> None:
        self.post(self.url, json=self.payload(message(render(report, delivery))))
        logger.info(
            "discord %s: posted %s (delivery %s)", self.name, report.filing.accession, delivery.id
        )

    def send_summary(self, burst: Burst) -> None:
        notice = render_summary(burst)
        self.post(self.url, json=self.payload(summary_message(notice)))
        logger.info("discord %s: posted a summary of %d filings", self.name, len(notice.lines))

    def send_message(self, message: Message, delivery: Delivery) -> None:
        body = message_payload(message, delivery, self.message_capacity)
        self.post(self.url, json=self.payload(body))
        logger.info("discord %s: posted a %s (delivery %s)", self.name, message.kind, delivery.id)

    @property
    def url(self) -> str:
        url = webhook_path(self.settings.webhook_url.reveal())
        if url is None:  # refused by the configuration already
            raise NotifierError(
                f"{self.config_key('webhook_url')} is not a Discord webhook URL", permanent=True
            )
        return url

    def payload(self, body: dict[str, Any]) -> dict[str, Any]:
        body["allowed_mentions"] = {"parse": []}  # never ping, whatever a filer wrote
        if self.settings.username:
            body["username"] = self.settings.username[:80]
        return body

    def observe(self, headers: Mapping[str, str]) -> None:
        """Bucket exhausted: wait until it resets (X-RateLimit-Reset-After, seconds)."""
        if headers.get("X-RateLimit-Remaining", "").strip() == "0":
            reset_after = _seconds(headers.get("X-RateLimit-Reset-After"))
            if reset_after is not None:
                self.pacer.pause(reset_after)

    def raise_for_response(self, status: int, body: str, retry_after: str | None) -> None:
        """A 429's JSON `retry_after` (float seconds) wins over the rounded header."""
        if status == 429:
            waited = _retry_after(body)
            if waited is not None:
                raise NotifierError(
                    f"Discord answered HTTP 429: rate limited for {waited:g} s", retry_after=waited
                )
        super().raise_for_response(status, body, retry_after)

    def explain(self, status: int, body: str) -> str:
        found = _CODE.search(body)
        code = int(found.group(1)) if found else None
        if code in ERRORS:
            return f" ({ERRORS[code]})"
        return " (the webhook was deleted: create a new one)" if status == 404 else ""

    def redirect_hint(self) -> str:
        return f" (a redirect: check {self.config_key('webhook_url')})"


def _seconds(value: str | None) -> float | None:
    try:
        seconds = float(value or "")
    except ValueError:
        return None
    return seconds if 0 <= seconds < float("inf") else None


def _retry_after(body: str) -> float | None:
    try:
        answer = json.loads(body)
    except ValueError:
        return None
    value = answer.get("retry_after") if isinstance(answer, dict) else None
    return _seconds(str(value)) if isinstance(value, int | float) else None


# --------------------------------------------------------------------------- message


def escape(text: str) -> str:
    """Discord Markdown made literal: `\\`-escaped emphasis, code, spoilers, links,
    mentions' `<`, and list/heading/quote markers at a line's start."""
    return _LINE_START.sub(r"\1\\\2", _MARKDOWN.sub(r"\\\1", text))


def fit(text: str, limit: int) -> str:
    """`text` escaped and trimmed so the escaped form fits `limit` (Slack's `fit`)."""
    budget = limit
    while True:
        escaped = escape(trim(text, budget))
        if len(escaped) <= limit or budget <= 1:
            return escaped[:limit]
        budget = max(1, min(budget - 1, budget * limit // len(escaped)))


def masked_link(link: Link) -> str:
    """`[label](url)`: our label, EDGAR's URL with parentheses encoded (they end the link)."""
    url = link.url.replace("(", "%28").replace(")", "%29")
    return f"[{fit(link.label, 100)}]({url})"


def message(notice: Notice) -> dict[str, Any]:
    """`content` (the subject, shown in notifications) and one embed within every limit."""
    fields = [
        {
            "name": fit(label, FIELD_NAME_LIMIT),
            "value": fit(value, FIELD_VALUE_LIMIT),
            "inline": True,
        }
        for label, value in facts(notice)
    ]
    if notice.other_items:
        listed = "; ".join(view.label for view in notice.other_items)
        fields.append({"name": "Also reported", "value": fit(listed, FIELD_VALUE_LIMIT)})
    links = _links_value(notice.links)
    if links:
        fields.append({"name": "Links", "value": links})
    embed: dict[str, Any] = {
        "title": fit(notice.title, TITLE_LIMIT),
        "color": COLOR,
        "fields": fields[:25],
        "footer": {
            "text": fit(
                f"edgarwatch · rule {notice.rule} · delivery {notice.delivery_id}", FOOTER_LIMIT
            )
        },
    }
    if notice.filing_url:
        embed["url"] = notice.filing_url
    room = TOTAL_LIMIT - embed_size(embed) - 10
    embed["description"] = _description(notice, min(DESCRIPTION_LIMIT, room))
    return {"content": fit(notice.subject, CONTENT_LIMIT), "embeds": [embed]}


def _links_value(links: tuple[Link, ...]) -> str:
    value = ""
    for link in links:
        part = masked_link(link)
        candidate = f"{value} · {part}" if value else part
        if len(candidate) > FIELD_VALUE_LIMIT:
            break
        value = candidate
    return value


def _description(notice: Notice, budget: int) -> str:
    """What was signed (the agreements' headlines), then the triggering items, each
    `**label**`, its deal terms and text, within `budget` characters: equal shares of at
    least `ITEM_SHARE`; items past the room are listed by number."""
    lead = "\n".join(f"**{fit(line, 600)}**" for line in opening(notice))
    parts: list[str] = [lead] if lead else []
    used, views = len(lead) + 2 if lead else 0, notice.triggered
    for index, view in enumerate(views):
        left = len(views) - index
        heading = f"**{fit(view.label, 200)}**"
        after = _more(views[index + 1 :])
        room = budget - used - (len(after) + 2 if after else 0)
        if room < len(heading) + 40:
            parts.append(fit(_more(views[index:]), max(0, budget - used - 2)))
            break
        share = min(room, max((budget - used) // left, ITEM_SHARE))
        several = len(notice.deals) > 1
        terms = "\n".join(
            line for deal in view.deals for line in deal_lines(deal, with_headline=several)
        )
        terms = fit(terms, max(0, (share - len(heading)) // 2)) if terms else ""
        room_left = share - len(heading) - len(terms) - 2
        text = fit(view.text, room_left) if view.text and room_left > 0 else ""
        part = "\n".join(p for p in (heading, terms, text) if p)
        parts.append(part)
        used += len(part) + 2
    return "\n\n".join(parts)[:budget]


def _more(views: tuple[ItemView, ...]) -> str:
    numbers = ", ".join(view.number for view in views)
    return f"…and {len(views)} more items: {numbers}" if views else ""


def embed_size(embed: Mapping[str, Any]) -> int:
    """Characters Discord counts toward the 6,000: title, description, fields, footer, author."""
    size = len(embed.get("title", "")) + len(embed.get("description", ""))
    size += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    size += len(embed.get("footer", {}).get("text", ""))
    return size + len(embed.get("author", {}).get("name", ""))


def summary_message(notice: SummaryNotice) -> dict[str, Any]:
    lines = [summary_line(line) for line in notice.lines]
    embed = {
        "title": fit(notice.title, TITLE_LIMIT),
        "color": COLOR,
        "description": "\n".join(lines)[:DESCRIPTION_LIMIT],
        "footer": {"text": fit(notice.footer, FOOTER_LIMIT)},
    }
    return {"content": fit(notice.title, CONTENT_LIMIT), "embeds": [embed]}


def summary_line(line: SummaryLine) -> str:
    """`• **COMPANY** — 8-K Item 1.01 · accepted · [Filing index](…)`, at most 200 characters."""
    text = f"• **{fit(line.company, 80)}** — {fit(f'{line.form_label} {line.item_labels}', 60)}"
    links = [Link("index", "Filing index", line.filing_url)] if line.filing_url else []
    links += [line.agreement] if line.agreement else []
    for link in links:
        candidate = f"{text} · {masked_link(link)}"
        if len(candidate) <= 200:
            text = candidate
    return text


# --------------------------------------------------------------------------- digest, alarm

ALARM_COLOR = 0xD1242F
CLEARED_COLOR = 0x1A7F37


def message_payload(message: Message, delivery: Delivery, capacity: int) -> dict[str, Any]:
    """`content` (the title) and one embed: the summary, then each group's heading and
    its entries as lines of at most 200 characters, within the description's 4,096."""
    groups, omitted = fit_entries(message, capacity)
    lines = [fit(message.summary, 1000)] if message.summary else []
    for group in groups:
        if group.heading:
            lines += ["", f"**{fit(group.heading, 150)}**"]
        lines += [
            message_line(entry.text, entry.note, entry.url, entry.label) for entry in group.entries
        ]
    tail = [fit(more_text(omitted, message), 200)] if omitted else []
    description = "\n".join(lines)
    room = DESCRIPTION_LIMIT - sum(len(t) + 2 for t in tail)
    if len(description) > room:
        description = description[: room - 1].rsplit("\n", 1)[0]
    description = "\n".join([description, *tail]) if tail else description
    color = COLOR
    if message.kind == "alarm":
        color = ALARM_COLOR if message.alarm else CLEARED_COLOR
    footer = " · ".join(p for p in (message.footer, f"delivery {delivery.id}") if p)
    embed = {
        "title": fit(message.title, TITLE_LIMIT),
        "color": color,
        "description": description,
        "footer": {"text": fit(footer, FOOTER_LIMIT)},
    }
    return {"content": fit(message.title, CONTENT_LIMIT), "embeds": [embed]}


def message_line(text: str, note: str, url: str, label: str) -> str:
    """`• text — note · [label](url)`, at most about 200 characters (the link if it fits)."""
    line = f"• {fit(text, 120)}"
    if note:
        line += f" — {fit(note, 70)}"
    if url:
        candidate = f"{line} · {masked_link(Link('index', label or 'Link', url))}"
        if len(candidate) <= 400:
            line = candidate
    return line
