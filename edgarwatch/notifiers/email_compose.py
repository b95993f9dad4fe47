"""Email messages composed: a notice, a burst's summary, a digest or an alarm as multipart plain text + HTML, with a stable Message-ID per delivery."""

from __future__ import annotations

import html
import re
from email.message import EmailMessage
from email.utils import formatdate

from edgarwatch.notifiers.base import (
    Delivery,
)
from edgarwatch.notifiers.email_html import html_body, message_html
from edgarwatch.notifiers.email_settings import DELIVERY_HEADER, EmailSettings
from edgarwatch.notifiers.message import Message, message_text
from edgarwatch.notifiers.notice import Link, Notice
from edgarwatch.notifiers.plain import plain_text
from edgarwatch.notifiers.summary import SummaryLine, SummaryNotice

# --------------------------------------------------------------------------- message


def compose(notice: Notice, settings: EmailSettings) -> EmailMessage:
    """The message: RFC 5322 headers, a text part and an HTML alternative (RFC 2046 5.1.4).

    The Message-ID is derived from the delivery id, so a message re-sent
    after a crash carries the same id and mail systems can drop the repeat.
    """
    message = _addressed(notice.subject, notice.delivery_id, settings)
    message["X-Edgarwatch-Accession"] = notice.accession
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    message.set_content(plain_text(notice))
    message.add_alternative(html_body(notice), subtype="html")
    return message


def compose_summary(notice: SummaryNotice, settings: EmailSettings) -> EmailMessage:
    """A burst as one message: one line per filing, with its links, in both parts."""
    message = _addressed(notice.title, notice.delivery_id, settings)
    message["Auto-Submitted"] = "auto-generated"
    text = [notice.title, ""]
    for line in notice.lines:
        text.append(f"- {line.text}")
        text += [f"  {link.label}: {link.url}" for link in _summary_links(line)]
    message.set_content("\n".join([*text, "", notice.footer]) + "\n")
    e = html.escape
    items = "".join(
        f"<li><strong>{e(line.company)}</strong> — {e(line.form_label)} {e(line.item_labels)}"
        + (f", accepted {e(line.accepted)}" if line.accepted else "")
        + "".join(
            f' · <a href="{e(link.url)}">{e(link.label)}</a>' for link in _summary_links(line)
        )
        + "</li>"
        for line in notice.lines
    )
    body = f'<h2>{e(notice.title)}</h2><ul>{items}</ul><p style="color:#666">{e(notice.footer)}</p>'
    head = '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>'
    message.add_alternative(f"{head}\n{body}\n</body></html>\n", subtype="html")
    return message


def _summary_links(line: SummaryLine) -> list[Link]:
    links = [Link("index", "Filing index", line.filing_url)] if line.filing_url else []
    return links + ([line.agreement] if line.agreement else [])


def _addressed(subject: str, delivery_id: str, settings: EmailSettings) -> EmailMessage:
    """A message with its subject and every header a delivery's copies share: sender,
    recipients, date, the Message-ID derived from the delivery id, and the delivery id."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id(delivery_id, settings.sender)
    message[DELIVERY_HEADER] = delivery_id
    return message


def message_id(delivery_id: str, sender: str) -> str:
    local = re.sub(r"[^A-Za-z0-9._-]", "-", delivery_id) or "delivery"
    domain = re.sub(r"[^A-Za-z0-9.-]", "", sender.rpartition("@")[2]) or "edgarwatch.invalid"
    return f"<edgarwatch.{local}@{domain}>"


# --------------------------------------------------------------------------- digest, alarm


def compose_message(
    message: Message, delivery: Delivery, settings: EmailSettings, capacity: int
) -> EmailMessage:
    """A digest or an alarm: the title as subject, a text and an HTML part; the Message-ID
    is the delivery's, so a copy re-sent after a crash can be recognised."""
    composed = _addressed(message.title, delivery.id, settings)
    composed["X-Edgarwatch-Kind"] = message.kind
    composed["Auto-Submitted"] = "auto-generated"
    if message.alarm:
        composed["X-Priority"] = "1"  # raised alarms stand out in the inbox
    composed.set_content(message_text(message, capacity))
    composed.add_alternative(message_html(message, capacity), subtype="html")
    return composed
