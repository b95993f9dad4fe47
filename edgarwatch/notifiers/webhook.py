"""Webhook: a JSON document about each filing, POSTed to a URL and optionally signed.

The request
    POST <url>
    Content-Type: application/json
    User-Agent: edgarwatch/<version>
    X-Edgarwatch-Delivery: <delivery id>     (also "delivery_id" in the body)
    X-Edgarwatch-Timestamp: <unix seconds when this attempt was sent>
    X-Edgarwatch-Signature: sha256=<hex>     (only when a secret is configured)

The signature is HMAC-SHA256, keyed with the configured secret (its UTF-8
bytes), over `<timestamp>.<raw body>`: the timestamp header's digits, a dot,
then the body bytes exactly as received. Signing the timestamp with the body
(the scheme Stripe and Slack use for their own requests) lets a receiver
reject a captured request replayed later: check the signature over the raw
bytes *before* parsing the JSON, compare in constant time, and refuse
timestamps more than a few minutes old. `verify_signature` does all three.

The delivery id is the same on every retry of one notification, so a
receiver that remembers the ids it has seen can drop repeats (delivery is
at-least-once: a crash between "sent" and "recorded" sends again).

The body:
    {"event": "filing", "delivery_id", "rule", "triggered_items": ["1.01"],
     "headline": the first triggering agreement's one-line headline, or null,
     "party_watch": ["SICOR"] (the watched parties that are why it notifies, or []),
     "amends": an 8-K/A's original, {"accession", "form", "filed", "found_by"
               ("text": its own words, "period": file number and period of report)},
               or null,
     "changes": [{"item", "diff"}] (an 8-K/A: a short word diff per item both have
               text for; [] otherwise),
     "filing": {"accession", "form", "amendment", "company", "cik",
                "companies": [{"cik", "name", "role"}], "accepted_at" (ISO 8601
                with offset, or null), "filed" (YYYY-MM-DD or null), "url",
                "declared_items", "primary_document"},
     "items": [{"number", "title", "text",
                "agreements": [the `edgarwatch parse` agreement object — type,
                               amendment, title, date, term, parties [{name, role,
                               short_name}], amounts [{text, value, currency,
                               role, period}], exhibit, evidence — plus its
                               "headline"]}],
     "exhibits": [{"type", "description", "url", "document"}]}

A digest or an alarm (`message.py`) is a document of its own type, with the
same headers and signature:
    {"event": "digest"|"alarm", "type": "digest"|"alarm", "delivery_id",
     "title", "summary", "state" ("raised"/"cleared" for alarms, else ""),
     "groups": [{"heading", "entries": [{"text", "note", "url", "label"}]}],
     "footer",
     "digest": {"channel", "day", "due_at", "since", "filings": [{"accession",
                "company", "cik", "form", "items": [{"number", "title"}],
                "accepted_at", "headline", "amends", "url"}]}   (digests)
     "alarm": {"name", "state", "raised_at", "cleared_at", "detail"}}  (alarms)
Every filing of a digest is listed: a program gets it whole.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from dataclasses import dataclass
from typing import Any, Literal

from edgarwatch.agreement import headline
from edgarwatch.filing import FilingReport
from edgarwatch.notifiers.base import Delivery, register
from edgarwatch.notifiers.changes import changes
from edgarwatch.notifiers.http import HttpNotifier
from edgarwatch.notifiers.message import Message
from edgarwatch.notifiers.text import as_eastern
from edgarwatch.secrets import Secret
from edgarwatch.settings import setting

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Edgarwatch-Signature"
TIMESTAMP_HEADER = "X-Edgarwatch-Timestamp"
DELIVERY_HEADER = "X-Edgarwatch-Delivery"
SIGNATURE_PREFIX = "sha256="
DEFAULT_TOLERANCE = 300.0
"""Seconds a receiver should accept a timestamp for (clock skew plus transit)."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value: `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`."""
    digest = hmac.new(
        secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256
    )
    return SIGNATURE_PREFIX + digest.hexdigest()


def verify_signature(
    secret: str,
    timestamp: str | bytes | int,
    body: bytes,
    header: str | bytes | None,
    *,
    tolerance: float | None = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """True when `header` signs `body` at `timestamp` and the timestamp is recent.

    For receivers (and tests): pass the raw request body, the
    X-Edgarwatch-Timestamp and X-Edgarwatch-Signature headers (str or the
    raw bytes an ASGI server hands over). `tolerance` None disables the age
    check (for verifying stored requests).

    Headers come from whoever reached the receiver, so anything that is not a
    well-formed value — missing, oversized, non-ASCII (`"²"` is a digit to
    `str.isdigit()` but not to `int()`; `hmac.compare_digest` refuses
    non-ASCII strings), digits beyond what `int()` converts — is False, never
    an exception.
    """
    stamp = _ascii(timestamp, _STAMP)
    signature = _ascii(header, _SIGNATURE)
    if stamp is None or signature is None:
        return False
    if tolerance is not None and abs((now or time.time()) - int(stamp)) > tolerance:
        return False
    expected = sign(secret, stamp, body).encode("ascii")
    return hmac.compare_digest(expected, signature.encode("ascii"))


_STAMP = re.compile(r"[0-9]{1,15}")
"""Unix seconds: ASCII digits, at most 15 (year 33658); no sign, no spaces inside."""
_SIGNATURE = re.compile(SIGNATURE_PREFIX + r"[0-9a-f]{64}")
"""`sha256=` and 64 lower-case hex digits, exactly what `sign` writes."""


def _ascii(value: str | bytes | int | None, shape: re.Pattern[str]) -> str | None:
    """`value` stripped, when it is short ASCII text of `shape`; else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if not isinstance(value, str) or len(value) > 200:
        return None
    value = value.strip(" \t")
    return value if value.isascii() and shape.fullmatch(value) else None


@dataclass(frozen=True)
class WebhookSettings:
    """[webhook] (or [channels.NAME] with kind = "webhook")."""

    name: str
    url: Secret = setting(url=True)
    secret: Secret | None = None
    timeout: float = setting(10.0, minimum=0.1)
    min_interval_seconds: float = setting(0.0, minimum=0)
    kind: Literal["webhook"] = "webhook"


@register
class WebhookNotifier(HttpNotifier):
    """[webhook] POST a JSON document about each filing to a URL of yours.

        [webhook]
        url = "https://hooks.example.com/edgar"   # or $EDGARWATCH_WEBHOOK_URL
        secret = "…"        # optional: sign requests (X-Edgarwatch-Signature)
        timeout = 10        # seconds, for connecting and for each read
        min_interval_seconds = 0   # pace requests to a receiver that needs it

    The document carries the filing, every item with its text and the deal
    terms read from it (the `edgarwatch parse` shape, each with its headline),
    and the exhibits; see this module's documentation for the fields and for how to
    verify the HMAC-SHA256 signature. Any 2xx answer is success; 408, 429
    and 5xx are retried (honouring Retry-After); any other answer is final.
    Bursts are never coalesced: a program receives one document per filing,
    each with its own delivery id.
    """

    kind = "webhook"
    settings_type = WebhookSettings
    settings: WebhookSettings

    service = "webhook"
    endpoint = "webhook"

    def send(self, report: FilingReport, delivery: Delivery) -> None:
        body = encode(document(report, delivery))
        self.post(self.settings.url.reveal(), data=body, headers=self.headers(body, delivery))
        logger.info(
            "webhook %s: delivered %s (delivery %s)",
            self.name,
            report.filing.accession,
            delivery.id,
        )

    def send_message(self, message: Message, delivery: Delivery) -> None:
        body = encode(message_document(message, delivery))
        self.post(self.settings.url.reveal(), data=body, headers=self.headers(body, delivery))
        logger.info(
            "webhook %s: delivered a %s (delivery %s)", self.name, message.kind, delivery.id
        )

    def headers(self, body: bytes, delivery: Delivery) -> dict[str, str]:
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            DELIVERY_HEADER: delivery.id,
            TIMESTAMP_HEADER: timestamp,
        }
        if self.settings.secret:
            headers[SIGNATURE_HEADER] = sign(self.settings.secret.reveal(), timestamp, body)
        return headers


def encode(payload: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON: the bytes that are signed are the bytes that are sent."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def document(report: FilingReport, delivery: Delivery) -> dict[str, Any]:
    """The JSON document (see the module docstring); text is the filer's, unescaped."""
    filing = report.filing
    return {
        "event": "filing",
        "delivery_id": delivery.id,
        "rule": delivery.rule,
        "triggered_items": list(delivery.items),
        "headline": _headline(report, delivery),
        "party_watch": list(report.party_watch),
        "amends": _amends(report),
        "changes": [{"item": number, "diff": diff} for number, diff in changes(report)],
        "filing": {
            "accession": filing.accession,
            "form": filing.form,
            "amendment": filing.is_amendment,
            "company": filing.company,
            "cik": filing.cik,
            "companies": [{"cik": c.cik, "name": c.name, "role": c.role} for c in filing.companies],
            "accepted_at": as_eastern(filing.accepted_at).isoformat()
            if filing.accepted_at
            else None,
            "filed": filing.filed.isoformat() if filing.filed else None,
            "url": filing.url,
            "declared_items": list(filing.items),
            "primary_document": filing.primary_document,
        },
        "items": [
            {
                "number": i.number,
                "title": i.title,
                "text": i.text,
                "agreements": [a.to_json() | {"headline": headline(a)} for a in i.agreements],
            }
            for i in report.items
        ],
        "exhibits": [
            {"type": x.type, "description": x.description, "url": x.url, "document": x.document}
            for x in report.exhibits
        ],
    }


def _amends(report: FilingReport) -> dict[str, Any] | None:
    amended = report.amends
    if amended is None:
        return None
    return {
        "accession": amended.accession,
        "form": amended.form,
        "filed": amended.filed.isoformat() if amended.filed else None,
        "found_by": amended.how,
    }


def _headline(report: FilingReport, delivery: Delivery) -> str | None:
    """What was signed, per the first agreement of the items that triggered the rule."""
    for item in report.items:
        if item.number in delivery.items and item.agreements:
            return headline(item.agreements[0])
    return None


def message_document(message: Message, delivery: Delivery) -> dict[str, Any]:
    """A digest or an alarm as JSON (see the module docstring); nothing trimmed."""
    document: dict[str, Any] = {
        "event": message.kind,
        "type": message.kind,
        "delivery_id": delivery.id,
        "title": message.title,
        "summary": message.summary,
        "state": message.state,
        "groups": message.groups_json(),
        "footer": message.footer,
    }
    document[message.kind] = {k: v for k, v in message.data.items() if k != "more_hint"}
    return document
