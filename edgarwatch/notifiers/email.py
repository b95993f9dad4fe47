"""Email: a multipart (plain text + HTML) message sent through an SMTP server.

This module's name shadows the standard library's `email` only for relative
imports; every import here is absolute, so `email.message` is the stdlib's.

The parts: `email_settings.py` (`[email]`), `email_compose.py` and
`email_html.py` (the message), `smtp_errors.py` (what the server's answers
mean); this module sends.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from edgarwatch.filing import FilingReport
from edgarwatch.notifiers.base import (
    Delivery,
    Notifier,
    NotifierError,
    register,
    root_cause,
    untrusted_certificate,
)
from edgarwatch.notifiers.email_compose import compose, compose_message, compose_summary
from edgarwatch.notifiers.email_settings import EmailSettings
from edgarwatch.notifiers.message import Message
from edgarwatch.notifiers.render import render
from edgarwatch.notifiers.smtp_errors import quit_quietly, refusal, smtp_error
from edgarwatch.notifiers.summary import Burst, render_summary

logger = logging.getLogger(__name__)


TEXT_LIMIT = 20_000
"""Item text beyond this is trimmed: the filing link carries the rest."""


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
        quit_quietly(client)
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
