"""Microsoft Teams: an Adaptive Card posted to a Teams *Workflows* webhook.

Teams retired Office 365 connectors ("incoming webhooks"); a channel now gets
a Power Automate workflow from the template "Post to a channel when a webhook
request is received". Its URL (on `*.logic.azure.com` or
`*.environment.api.powerplatform.com`) carries the credential in its `sig=`
query parameter: the whole URL is the secret.

The request is the envelope the template loops over (notes/teams.md: Apprise,
healthchecks and a real PowerShell POST all send exactly this):

    {"type": "message", "attachments": [{"contentType":
     "application/vnd.microsoft.card.adaptive", "contentUrl": null,
     "content": {<AdaptiveCard 1.2>}}]}

**What "delivered" means here: the workflow accepted the request.** The
trigger answers `202 Accepted` (or 200) with an empty body and runs the flow
afterwards; a card Teams cannot show, or a message over its ~28 KB limit,
fails inside that run and is *not* reported to the caller (notes/teams.md,
MS "Known issues and limitations"). So the card is built to be valid by
construction, and kept under `MAX_BYTES` (20 KB: 28 KB is documented, less
was observed on real webhooks) by trimming item text, never by dropping a
filing's facts or links.

Filer text goes only into `TextRun`s, which Adaptive Cards never read as
Markdown (a `TextBlock`, `FactSet` value or action title would turn
`[click](https://evil.example)` into a link); links are ours, as `TextRun`
`selectAction`s and buttons (`Action.OpenUrl`) to EDGAR.

Errors the trigger does answer (the Logic Apps envelope
`{"error": {"code", "message"}}`), judged by code before status:

| answer | meaning | here |
| --- | --- | --- |
| 200 / 202 | accepted (the run may still fail, see above) | sent |
| 404 `WorkflowNotFound` | the workflow was deleted | permanent |
| 401 `DirectApiInvalidAuthorizationSignature` | `sig=` rotated or mistyped | permanent |
| `WorkflowTriggerIsNotEnabled` (any status; 409 likely, unconfirmed) | the flow is turned off | permanent |
| 400 `TriggerInputSchemaMismatch` | the trigger expects another body | permanent |
| 413 | over the size limit (ours: never sent) | permanent |
| 429, 5xx, 408 | throttled, Logic Apps trouble | transient, honouring Retry-After |
| 3xx, other 4xx | final (`http.py`) | permanent |

A turned-off flow is permanent (the notes' recommendation): it needs a
person, and `status` turning unhealthy at once says so sooner than 24 hours
of retries would; `edgarwatch notifications retry --all-dead` sends what
waited once the flow is on again. healthchecks retries every Teams error
and Apprise classifies none; we follow them for 429/5xx only.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any, Literal

from edgarwatch.filing import FilingReport
from edgarwatch.notifiers.base import Delivery, NotifierError, register
from edgarwatch.notifiers.http import HttpNotifier
from edgarwatch.notifiers.message import Message, fit_entries, more_text
from edgarwatch.notifiers.notice import Link, Notice
from edgarwatch.notifiers.plain import deal_lines, facts, opening
from edgarwatch.notifiers.render import render
from edgarwatch.notifiers.summary import Burst, SummaryLine, SummaryNotice, render_summary
from edgarwatch.notifiers.text import trim
from edgarwatch.secrets import Secret
from edgarwatch.settings import setting

logger = logging.getLogger(__name__)

CARD_VERSION = "1.2"
"""RichTextBlock, TextRun and selectAction need 1.2; healthchecks and the real POST in
notes/teams.md use 1.2; what Teams renders above 1.4 through Workflows is unconfirmed."""
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
MAX_BYTES = 20_000
"""Serialized request size we stay under (MS documents ~28 KB; 21 KB was observed)."""
TEXT_BUDGETS = (6000, 3000, 1500, 700, 300, 0)
"""Characters of item text per item, tried in turn until the card fits."""
LABEL_LIMIT = 300

PERMANENT_CODES: dict[str, str] = {
    "WorkflowNotFound": "the workflow was deleted: create a new one and configure its URL",
    "DirectApiInvalidAuthorizationSignature": (
        "the URL's signature (sig=) is not valid: it was rotated or mistyped"
    ),
    "WorkflowTriggerIsNotEnabled": (
        "the workflow is turned off: turn it on in Power Automate, then run "
        "`edgarwatch notifications retry --all-dead`"
    ),
    "TriggerInputSchemaMismatch": (
        "the workflow expects another request body: use the template "
        "'Post to a channel when a webhook request is received'"
    ),
}
_CODE = re.compile(r'"code"\s*:\s*"([A-Za-z]+)"')


@dataclass(frozen=True)
class TeamsSettings:
    """[teams] (or [channels.NAME] with kind = "teams")."""

    name: str
    webhook_url: Secret = setting(url=True)
    timeout: float = setting(10.0, minimum=0.1)
    min_interval_seconds: float = setting(1.0, minimum=0)
    coalesce_above: int = setting(10, minimum=0)
    kind: Literal["teams"] = "teams"


@register
class TeamsNotifier(HttpNotifier):
    """[teams] Post each filing to a Microsoft Teams channel through a Workflows webhook.

    In Teams: the channel's "…" → Workflows → "Post to a channel when a
    webhook request is received", then copy the URL it shows:

        [teams]
        webhook_url = "https://….logic.azure.com:443/workflows/…&sig=…"  # or $EDGARWATCH_TEAMS_WEBHOOK_URL
        timeout = 10               # seconds, for connecting and for each read
        min_interval_seconds = 1   # between posts
        coalesce_above = 10        # more due at once: summaries (0: never)

    The card names the company, form, items with their titles, the accepted
    time (ET), the triggering items' text (trimmed so the card stays under
    20 KB) and links to the filing index and each EX-10 agreement. Sent means
    the workflow accepted it (202); a run that fails inside Power Automate is
    shown in the flow's run history, not here.
    """

    kind = "teams"
    settings_type = TeamsSettings
    settings: TeamsSettings

    service = "Teams"
    endpoint = "Teams workflow"
    silent_answer = "no error given"
    max_summary_lines = 30

    def send(self, report: FilingReport, delivery: Delivery) -> None:
        payload = fitted(lambda budget: card(render(report, delivery, text_limit=budget)))
        self.post(self.settings.webhook_url.reveal(), data=payload, headers=JSON)
        logger.info(
            "teams %s: posted %s (delivery %s)", self.name, report.filing.accession, delivery.id
        )

    def send_summary(self, burst: Burst) -> None:
        notice = render_summary(burst)
        payload = fitted(lambda budget: summary_card(notice, budget))
        self.post(self.settings.webhook_url.reveal(), data=payload, headers=JSON)
        logger.info("teams %s: posted a summary of %d filings", self.name, len(notice.lines))

    def send_message(self, message: Message, delivery: Delivery) -> None:
        payload = fitted_message(message, delivery, self.message_capacity)
        self.post(self.settings.webhook_url.reveal(), data=payload, headers=JSON)
        logger.info("teams %s: posted a %s (delivery %s)", self.name, message.kind, delivery.id)

    def raise_for_response(self, status: int, body: str, retry_after: str | None) -> None:
        """A code that names a broken workflow is final whatever the status says."""
        found = _CODE.search(body) if not 200 <= status < 300 else None
        if found and found.group(1) in PERMANENT_CODES:
            code = found.group(1)
            raise NotifierError(
                f"Teams answered HTTP {status}: {code} ({PERMANENT_CODES[code]})", permanent=True
            )
        super().raise_for_response(status, body, retry_after)

    def redirect_hint(self) -> str:
        return f" (a redirect: check {self.config_key('webhook_url')})"


JSON = {"Content-Type": "application/json"}


def fitted(build: Any) -> bytes:
    """The request body from `build(text_budget)`, with the largest budget that fits."""
    for budget in TEXT_BUDGETS:
        body = encode(envelope(build(budget)))
        if len(body) <= MAX_BYTES:
            return body
    raise NotifierError(
        f"the Teams card is over {MAX_BYTES} bytes even without item text", permanent=True
    )


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def envelope(content: dict[str, Any]) -> dict[str, Any]:
    """The message the Workflows template loops over (notes/teams.md)."""
    return {
        "type": "message",
        "attachments": [{"contentType": ADAPTIVE_CARD, "contentUrl": None, "content": content}],
    }


def adaptive_card(body: list[dict[str, Any]], actions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "body": body,
        "actions": actions,
        "msteams": {"width": "Full"},
    }


def run(text: str, **style: Any) -> dict[str, Any]:
    """A TextRun: shown as is, never read as Markdown."""
    return {"type": "TextRun", "text": text, **style}


def paragraph(*inlines: dict[str, Any], **style: Any) -> dict[str, Any]:
    return {"type": "RichTextBlock", "inlines": list(inlines), **style}


def link_run(link: Link) -> dict[str, Any]:
    text = link.label + (f": {trim(link.description, 120)}" if link.description else "")
    return run(text, color="Accent", selectAction={"type": "Action.OpenUrl", "url": link.url})


def open_url(title: str, url: str) -> dict[str, Any]:
    return {"type": "Action.OpenUrl", "title": title, "url": url}


def card(notice: Notice) -> dict[str, Any]:
    """Title, what was signed (each agreement's headline), facts, the triggering items with
    their deal terms and text, other items, links, footer."""
    body = [paragraph(run(notice.title, size="Large", weight="Bolder"))]
    body += [paragraph(run(line, weight="Bolder")) for line in opening(notice)]
    body += [
        paragraph(run(f"{label}: ", weight="Bolder"), run(value)) for label, value in facts(notice)
    ]
    several = len(notice.deals) > 1
    for view in notice.triggered:
        body.append(
            paragraph(run(trim(view.label, LABEL_LIMIT), weight="Bolder"), spacing="Medium")
        )
        for deal in view.deals:
            terms = "\n".join(deal_lines(deal, with_headline=several))
            body.append(paragraph(run(trim(terms, 3000), fontType="Monospace")))
        if view.text:
            body.append(paragraph(run(view.text)))
    if notice.other_items:
        listed = "; ".join(view.label for view in notice.other_items)
        body.append(paragraph(run(trim(f"Also reported: {listed}", 2000), isSubtle=True)))
    for link in notice.links:
        body.append(paragraph(link_run(link)))
    footer = f"edgarwatch · rule {notice.rule} · delivery {notice.delivery_id}"
    body.append(paragraph(run(footer, size="Small", isSubtle=True)))
    actions = [open_url("Filing index", notice.filing_url)] if notice.filing_url else []
    return adaptive_card(body, actions)


def summary_card(notice: SummaryNotice, budget: int) -> dict[str, Any]:
    """A burst: one paragraph per filing with its links (`budget` unused: no item text)."""
    body = [paragraph(run(notice.title, size="Large", weight="Bolder"))]
    body += [summary_paragraph(line) for line in notice.lines]
    body.append(paragraph(run(notice.footer, size="Small", isSubtle=True)))
    return adaptive_card(body, [])


def summary_paragraph(line: SummaryLine) -> dict[str, Any]:
    inlines = [
        run(trim(line.company, 150), weight="Bolder"),
        run(f" — {line.form_label} {line.item_labels}"),
    ]
    if line.accepted:
        inlines.append(run(f" · {line.accepted}", isSubtle=True))
    if line.filing_url:
        inlines += [run(" · "), link_run(Link("index", "Filing index", line.filing_url))]
    if line.agreement is not None:
        inlines += [
            run(" · "),
            link_run(Link("agreement", line.agreement.label, line.agreement.url)),
        ]
    return paragraph(*inlines, spacing="Small")


# --------------------------------------------------------------------------- digest, alarm


def fitted_message(message: Message, delivery: Delivery, capacity: int) -> bytes:
    """The card with as many entries as keep it under MAX_BYTES (the rest counted)."""
    for limit in (capacity, 15, 5, 0):
        body = encode(envelope(message_card(message, delivery, limit)))
        if len(body) <= MAX_BYTES:
            return body
    raise NotifierError(
        f"the Teams card is over {MAX_BYTES} bytes even without entries", permanent=True
    )


def message_card(message: Message, delivery: Delivery, limit: int) -> dict[str, Any]:
    """Title (in red for a raised alarm), summary, each group's heading and its entries as
    TextRuns with their links, what was left out, footer."""
    groups, omitted = fit_entries(message, limit)
    style: dict[str, Any] = {"size": "Large", "weight": "Bolder"}
    if message.alarm:
        style["color"] = "Attention"
    body = [paragraph(run(trim(message.title, LABEL_LIMIT), **style))]
    if message.summary:
        body.append(paragraph(run(trim(message.summary, 3000))))
    for group in groups:
        if group.heading:
            body.append(
                paragraph(run(trim(group.heading, LABEL_LIMIT), weight="Bolder"), spacing="Medium")
            )
        for entry in group.entries:
            inlines = [run(trim(entry.text, 400))]
            if entry.note:
                inlines.append(run(f" — {trim(entry.note, 300)}", weight="Bolder"))
            if entry.url:
                inlines += [run(" · "), link_run(Link("index", entry.label or "Link", entry.url))]
            body.append(paragraph(*inlines, spacing="Small"))
    if omitted:
        body.append(paragraph(run(more_text(omitted, message), isSubtle=True)))
    footer = " · ".join(p for p in (message.footer, f"delivery {delivery.id}") if p)
    body.append(paragraph(run(footer, size="Small", isSubtle=True)))
    return adaptive_card(body, [])
