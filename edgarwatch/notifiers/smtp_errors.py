"""What an SMTP server's answer means for a delivery: permanent (5xx, refused recipients) or worth a retry (4xx, 454 on AUTH), its reply quoted with secrets redacted."""

from __future__ import annotations

import smtplib

from edgarwatch.notifiers.base import (
    NotifierError,
    RecipientsRefused,
)
from edgarwatch.secrets import redact

_TEMPORARY_AUTH = 454
"""RFC 4954 section 6: 454 "Temporary authentication failure" is worth retrying."""


def quit_quietly(client: smtplib.SMTP) -> None:
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
