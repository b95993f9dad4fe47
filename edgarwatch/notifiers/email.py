"""Email: a multipart (plain text + HTML) message sent through an SMTP server.

This module's name shadows the standard library's `email` only for relative
imports; every import here is absolute, so `email.message` is the stdlib's.
"""

from __future__ import annotations

import html
import logging
import re
import smtplib
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Literal

from edgarwatch.filing import FilingReport
from edgarwatch.notifiers.base import (
    Delivery,
    Notifier,
    NotifierError,
    RecipientsRefused,
    register,
    root_cause,
    untrusted_certificate,
)
from edgarwatch.notifiers.message import Message, fit_entries, message_text, more_text
from edgarwatch.notifiers.notice import DealView, Link, Notice
from edgarwatch.notifiers.plain import facts, opening, plain_text
from edgarwatch.notifiers.render import render
from edgarwatch.notifiers.summary import Burst, SummaryLine, SummaryNotice, render_summary
from edgarwatch.secrets import Secret, redact
from edgarwatch.settings import email_address, is_loopback, setting

logger = logging.getLogger(__name__)

TEXT_LIMIT = 20_000
"""Item text beyond this is trimmed: the filing link carries the rest."""

DELIVERY_HEADER = "X-Edgarwatch-Delivery"

_TEMPORARY_AUTH = 454
"""RFC 4954 section 6: 454 "Temporary authentication failure" is worth retrying."""

EmailSecurity = Literal["starttls", "ssl", "none"]
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass(frozen=True)
class EmailSettings:
    """[email] (or [channels.NAME] with kind = "email"). `port` 0: the security's default."""

    name: str
    host: str = setting(required="the SMTP server to send through")
    sender: str = setting(required="the From: address", convert=email_address)
    recipients: tuple[str, ...] = setting(
        required="at least one address to send to", convert=email_address
    )
    port: int = setting(0, minimum=1, maximum=65535)
    security: EmailSecurity = setting("starttls", case="lower")
    username: str | None = None
    password: Secret | None = None
    ca_file: Path | None = None
    timeout: float = setting(20.0, minimum=0.1)
    min_interval_seconds: float = setting(0.0, minimum=0)
    coalesce_above: int = setting(10, minimum=0)
    kind: Literal["email"] = "email"

    def __post_init__(self) -> None:
        if not self.port:
            object.__setattr__(self, "port", DEFAULT_PORTS.get(self.security, 587))

    def problems(self) -> Iterator[tuple[str, str]]:
        if self.password and not self.username:
            yield "username", "missing: a password is set but no username"
        if self.security == "none" and self.password and not is_loopback(self.host):
            yield "security", "'none' would send the password in clear text to a remote host"
        if self.ca_file is not None and not self.ca_file.is_file():
            yield "ca_file", f"{self.ca_file} does not exist"


@register
class EmailNotifier(Notifier):
    """[email] Send each filing as an email (plain text and HTML) through SMTP.

        [email]
        host = "smtp.example.com"
        port = 587                   # 587 starttls, 465 ssl, 25 none
        security = "starttls"        # "starttls" | "ssl" (implicit TLS) | "none"
        sender = "edgarwatch@example.com"
        recipients = ["bd-team@example.com"]
        username = "edgarwatch"      # optional: log in when set
        password = "…"               # or $EDGARWATCH_EMAIL_PASSWORD
        ca_file = "/etc/ssl/private-ca.pem"  # optional: trust a private CA
        timeout = 20                 # seconds, per network operation
        min_interval_seconds = 0     # e.g. 2 for a relay allowing 30 messages a minute
        coalesce_above = 10          # more due at once: one summary email (0: never)

    The server's TLS certificate is always verified, against the system's
    trust store or `ca_file`; one that cannot be verified is retried and
    logged at error level until fixed (or given up on). "none" sends in clear
    text and is only sensible for a relay on the same host. A 4xx reply is
    retried later; a 5xx reply (including 535, a wrong password) is final.
    """

    kind = "email"
    settings_type = EmailSettings
    settings: EmailSettings
    max_summary_lines = 100

    def send(self, report: FilingReport, delivery: Delivery) -> None:
        message = compose(render(report, delivery, text_limit=TEXT_LIMIT), self.settings)
        recipients = self.recipients(delivery.recipients)
        if recipients:
            self.transmit(message, recipients)
        logger.info(
            "email %s: sent %s (delivery %s)", self.name, report.filing.accession, delivery.id
        )

    def send_summary(self, burst: Burst) -> None:
        notice = render_summary(burst)
        self.transmit(compose_summary(notice, self.settings), self.recipients(None))
        logger.info("email %s: sent a summary of %d filings", self.name, len(notice.lines))

    @property
    def message_capacity(self) -> int:
        """An email has room: a digest lists up to 500 filings (a whole-market day)."""
        return 500

    def send_message(self, message: Message, delivery: Delivery) -> None:
        composed = compose_message(message, delivery, self.settings, self.message_capacity)
        self.transmit(composed, self.recipients(None))
        logger.info("email %s: sent a %s (delivery %s)", self.name, message.kind, delivery.id)

    def recipients(self, wanted: tuple[str, ...] | None) -> list[str]:
        """Everyone configured, or those of `wanted` still configured (an address
        removed from the configuration since is not written to any more)."""
        configured = list(self.settings.recipients)
        return configured if wanted is None else [r for r in wanted if r in configured]

    def transmit(self, message: EmailMessage, recipients: list[str]) -> None:
        """Deliver `message` to `recipients`, or raise NotifierError / RecipientsRefused."""
        try:
            self.deliver(message, recipients)
        except NotifierError:
            raise
        except ssl.SSLCertVerificationError as exc:
            raise self.untrusted(exc) from None
        except smtplib.SMTPServerDisconnected as exc:
            # smtplib turns a socket error while reading a reply into this.
            cause = exc.__context__
            raise (
                self.network_error(cause) if isinstance(cause, OSError) else smtp_error(exc)
            ) from None
        except smtplib.SMTPException as exc:
            raise smtp_error(exc) from None
        except (ssl.SSLError, OSError) as exc:
            raise self.network_error(exc) from None

    def deliver(self, message: EmailMessage, recipients: list[str]) -> None:
        """One connection per message: notifications are rare, idle SMTP sessions die."""
        client = self.connect()
        try:
            self.login(client)
            refused = client.send_message(
                message, from_addr=self.settings.sender, to_addrs=recipients
            )
        except BaseException:
            client.close()
            raise
        _quit(client)
        if refused:
            # The others took it: only these are retried (4xx) or recorded (5xx).
            raise refusal(refused, delivered=True)

    def connect(self) -> smtplib.SMTP:
        settings = self.settings
        if settings.security == "ssl":
            return smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=self.tls()
            )
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        if settings.security == "starttls":
            try:
                client.starttls(context=self.tls())
            except BaseException:
                client.close()
                raise
        return client

    def tls(self) -> ssl.SSLContext:
        """Certificate and host name verification on (RFC 8314 section 4.4: no fallback)."""
        cafile = str(self.settings.ca_file) if self.settings.ca_file else None
        try:
            return ssl.create_default_context(cafile=cafile)
        except (OSError, ssl.SSLError) as exc:  # missing file, or not PEM certificates
            raise NotifierError(
                f"cannot load {self.config_key('ca_file')} ({root_cause(exc)})", permanent=True
            ) from None

    def login(self, client: smtplib.SMTP) -> None:
        username, password = self.settings.username, self.settings.password
        if not username:
            return
        if not password:
            raise NotifierError(
                f"{self.config_key('username')} is set but no password", permanent=True
            )
        client.login(username, password.reveal())

    def untrusted(self, exc: ssl.SSLCertVerificationError) -> NotifierError:
        """Retried, loudly (the rule for every channel: `notifiers/base.py`)."""
        return untrusted_certificate(
            f"{self.settings.host}:{self.settings.port}",
            exc,
            f"; if the server uses a private CA, set {self.config_key('ca_file')} "
            "to that CA's certificate (PEM)",
        )

    def network_error(self, exc: BaseException) -> NotifierError:
        where = f"{self.settings.host}:{self.settings.port}"
        if isinstance(exc, TimeoutError):
            return NotifierError(f"SMTP {where} timed out after {self.settings.timeout:g} s")
        if isinstance(exc, ssl.SSLError) and "WRONG_VERSION_NUMBER" in str(exc):
            return NotifierError(
                f"SMTP {where} did not speak TLS: check {self.config_key('security')} and port "
                "(465 is 'ssl', 587 is 'starttls')",
                permanent=True,
            )
        return NotifierError(f"SMTP {where} failed: {root_cause(exc)}")


def _quit(client: smtplib.SMTP) -> None:
    """QUIT politely; the message is already accepted, so a failure here is noise."""
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def smtp_error(exc: smtplib.SMTPException) -> NotifierError:
    """Classify an SMTP failure by its reply code (RFC 5321 section 4.2.1).

    4yz is a transient negative completion ("try again later"), 5yz a
    permanent one. 535 (RFC 4954: authentication credentials invalid) is a
    5yz too: retrying a wrong password only locks the account.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return refusal(exc.recipients, delivered=False)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return NotifierError(f"SMTP server disconnected: {_reply_text(str(exc))}")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return NotifierError(f"SMTP: {exc} (check the security setting)", permanent=True)
    if isinstance(exc, smtplib.SMTPResponseException):
        return _by_code(exc)
    return NotifierError(f"SMTP failed: {_reply_text(str(exc))}")


def refusal(refused: dict[str, tuple[int, bytes]], *, delivered: bool) -> RecipientsRefused:
    """Recipients the server refused at RCPT TO: 4xx for now (retried alone), 5xx for good."""
    pending = tuple(a for a, (code, _) in refused.items() if 400 <= code < 500)
    final = {a: f"{code} {_reply_text(reply)}" for a, (code, reply) in refused.items()}
    final = {a: reply for a, reply in final.items() if a not in pending}
    shown = "; ".join(f"{a} ({code}) {_reply_text(reply)}" for a, (code, reply) in refused.items())
    lead = "SMTP refused some recipients" if delivered else "SMTP refused every recipient"
    return RecipientsRefused(
        f"{lead}: {shown}", pending=pending, refused=final, delivered=delivered
    )


def _by_code(exc: smtplib.SMTPResponseException) -> NotifierError:
    code = exc.smtp_code
    reply = _reply_text(exc.smtp_error)
    if isinstance(exc, smtplib.SMTPAuthenticationError) and code != _TEMPORARY_AUTH:
        return NotifierError(
            f"SMTP authentication failed ({code} {reply}): check the username and password",
            permanent=True,
        )
    return NotifierError(f"SMTP answered {code} {reply}", permanent=500 <= code < 600)


def _reply_text(reply: bytes | str) -> str:
    """A server reply as one short line, redacted (a reply may echo what we sent)."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return redact(" ".join(text.split()))[:300]


# --------------------------------------------------------------------------- message


def compose(notice: Notice, settings: EmailSettings) -> EmailMessage:
    """The message: RFC 5322 headers, a text part and an HTML alternative (RFC 2046 5.1.4).

    The Message-ID is derived from the delivery id, so a message re-sent
    after a crash carries the same id and mail systems can drop the repeat.
    """
    message = EmailMessage()
    message["Subject"] = notice.subject
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id(notice.delivery_id, settings.sender)
    message[DELIVERY_HEADER] = notice.delivery_id
    message["X-Edgarwatch-Accession"] = notice.accession
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    message.set_content(plain_text(notice))
    message.add_alternative(html_body(notice), subtype="html")
    return message


def compose_summary(notice: SummaryNotice, settings: EmailSettings) -> EmailMessage:
    """A burst as one message: one line per filing, with its links, in both parts."""
    message = EmailMessage()
    message["Subject"] = notice.title
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id(notice.delivery_id, settings.sender)
    message[DELIVERY_HEADER] = notice.delivery_id
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


def message_id(delivery_id: str, sender: str) -> str:
    local = re.sub(r"[^A-Za-z0-9._-]", "-", delivery_id) or "delivery"
    domain = re.sub(r"[^A-Za-z0-9.-]", "", sender.rpartition("@")[2]) or "edgarwatch.invalid"
    return f"<edgarwatch.{local}@{domain}>"


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


# --------------------------------------------------------------------------- digest, alarm


def compose_message(
    message: Message, delivery: Delivery, settings: EmailSettings, capacity: int
) -> EmailMessage:
    """A digest or an alarm: the title as subject, a text and an HTML part; the Message-ID
    is the delivery's, so a copy re-sent after a crash can be recognised."""
    composed = EmailMessage()
    composed["Subject"] = message.title
    composed["From"] = settings.sender
    composed["To"] = ", ".join(settings.recipients)
    composed["Date"] = formatdate(localtime=True)
    composed["Message-ID"] = message_id(delivery.id, settings.sender)
    composed[DELIVERY_HEADER] = delivery.id
    composed["X-Edgarwatch-Kind"] = message.kind
    composed["Auto-Submitted"] = "auto-generated"
    if message.alarm:
        composed["X-Priority"] = "1"  # raised alarms stand out in the inbox
    composed.set_content(message_text(message, capacity))
    composed.add_alternative(message_html(message, capacity), subtype="html")
    return composed


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
