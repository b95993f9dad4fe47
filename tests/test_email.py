"""Email notifier against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from edgarwatch.agreement import Agreement, Amount, Party
from edgarwatch.filing import Company, Exhibit
from edgarwatch.notifiers import NotifierError, notifier_for
from edgarwatch.notifiers.base import Delivery, RecipientsRefused
from edgarwatch.notifiers.email import EmailNotifier
from edgarwatch.notifiers.email_settings import EmailSettings
from edgarwatch.notifiers.sample import FOLDER, ITEM_101_TEXT, sample_delivery, sample_report
from edgarwatch.secrets import Secret
from tests.servers.fixtures import SMTP_PASSWORD, SMTP_USER
from tests.servers.smtp import SmtpServer

SUBJECT = "IMMUNOGEN INC — 8-K Item 1.01: Entry into a Material Definitive Agreement"
HEADLINE = (
    "Manufacturing agreement with Società Italiana Corticosteroidi S.r.l (SICOR) — "
    "EUR 5,000,000 purchase price — through early 2008."
)
RECIPIENT = "bd-team@example.com"


def settings_for(server: SmtpServer, **overrides: Any) -> EmailSettings:
    settings = EmailSettings(
        name="email",
        host=server.host,
        port=server.port,
        sender="edgarwatch@example.com",
        recipients=(RECIPIENT,),
        security=server.security,
        timeout=5.0,
    )
    return replace(settings, **overrides)


def send(settings: EmailSettings, delivery: Delivery | None = None) -> None:
    notifier = notifier_for(settings)
    assert isinstance(notifier, EmailNotifier)
    notifier.send(sample_report(), delivery or sample_delivery("email"))


def failure(settings: EmailSettings) -> NotifierError:
    with pytest.raises(NotifierError) as caught:
        send(settings)
    return caught.value


def parts(message: EmailMessage) -> dict[str, str]:
    found = {}
    for part in message.walk():
        if part.get_content_maintype() == "text":
            assert isinstance(part, EmailMessage)
            found[part.get_content_type()] = part.get_content()
    return found


def test_it_sends_a_multipart_message(smtp_server: SmtpServer) -> None:
    delivery = Delivery(id="row-42", channel="email", rule="default", items=("1.01",))
    send(settings_for(smtp_server), delivery)
    (mail,) = smtp_server.messages
    assert mail.mail_from == "edgarwatch@example.com"
    assert mail.rcpt_tos == (RECIPIENT,)
    message = mail.message
    assert message["Subject"] == SUBJECT
    assert message["To"] == RECIPIENT
    assert message["X-Edgarwatch-Delivery"] == "row-42"
    assert message["Message-ID"] == "<edgarwatch.row-42@example.com>"
    assert message["Date"]
    assert message.get_content_type() == "multipart/alternative"
    text = parts(message)
    assert ITEM_101_TEXT in text["text/plain"]
    assert "Accepted:  2007-05-04 16:05 ET" in text["text/plain"]
    assert "Società Italiana Corticosteroidi" in text["text/html"]
    assert '<a href="https://www.sec.gov/Archives/edgar/data/855654/' in text["text/html"]
    assert not mail.tls


def test_it_escapes_filer_text_in_html(smtp_server: SmtpServer) -> None:
    report = sample_report()
    evil = '<script>alert("x")</script> & Co\r\nBcc: victim@example.net'
    filing = replace(report.filing, companies=(Company(855654, evil),))
    notifier = EmailNotifier(settings_for(smtp_server))
    notifier.send(replace(report, filing=filing), sample_delivery("email"))
    message = smtp_server.messages[0].message
    html = parts(message)["text/html"]
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co Bcc: victim" in html
    assert message["Bcc"] is None  # the newline could not start a header
    assert smtp_server.messages[0].rcpt_tos == (RECIPIENT,)
    assert message["Subject"].startswith('<script>alert("x")</script> & Co Bcc: victim')


def test_it_opens_both_parts_with_the_headline_and_lists_parties_and_amounts(
    smtp_server: SmtpServer,
) -> None:
    report = sample_report()
    deal = replace(report.items[0].agreements[0], exhibit="EX-10.1")
    exhibit = Exhibit("EX-10.1", "ex10-1.htm", f"{FOLDER}/ex10-1.htm", "Manufacturing Agreement")
    report = replace(report, items=(replace(report.items[0], agreements=(deal,)),))
    notifier = EmailNotifier(settings_for(smtp_server))
    notifier.send(replace(report, exhibits=(exhibit,)), sample_delivery("email"))
    message = smtp_server.messages[0].message
    assert message["Subject"] == SUBJECT
    text = parts(message)["text/plain"].replace("\r\n", "\n")
    html = parts(message)["text/html"]
    assert text.startswith(f"{HEADLINE}\n\n{SUBJECT}\n")
    for line in (
        "Parties:   ImmunoGen, Inc. — registrant",
        "           Società Italiana Corticosteroidi S.r.l (SICOR) — counterparty",
        "Amounts:   EUR 5,000,000 purchase price",
        f"Agreement: EX-10.1: {FOLDER}/ex10-1.htm",
    ):
        assert f"\n{line}\n" in text
    body = html.split("<body>", 1)[1].lstrip()
    assert body.startswith(f'<p style="font-size:1.15em"><strong>{HEADLINE}</strong></p>')
    assert "ImmunoGen, Inc. — registrant<br>Società Italiana Corticosteroidi S.r.l (SICOR)" in html
    assert "<td>EUR 5,000,000 purchase price</td>" in html
    assert f'<a href="{FOLDER}/ex10-1.htm">EX-10.1</a>' in html


def test_it_says_when_the_party_watch_is_why(smtp_server: SmtpServer) -> None:
    report = replace(sample_report(), party_watch=("SICOR",))
    EmailNotifier(settings_for(smtp_server)).send(report, sample_delivery("email"))
    text, html = parts(smtp_server.messages[0].message).values()
    assert "Why:       party watch: SICOR" in text
    assert '<th align="left" style="padding-right:1em">Why</th><td>party watch: SICOR</td>' in html


def test_it_escapes_hostile_deal_terms_in_html(smtp_server: SmtpServer) -> None:
    evil = '<img src=x onerror="alert(1)">'
    hostile = Agreement(
        "license",
        f"License {evil}",
        parties=(Party(evil, short_name=evil),),
        amounts=(Amount(evil, 1, evil, "upfront"),),
        exhibit=evil,
    )
    report = sample_report()
    report = replace(report, items=(replace(report.items[0], agreements=(hostile,)),))
    EmailNotifier(settings_for(smtp_server)).send(report, sample_delivery("email"))
    html = parts(smtp_server.messages[0].message)["text/html"]
    assert "<img" not in html
    assert "<td>&lt;img src=x onerror=&quot;alert(1)&quot;&gt; — counterparty</td>" in html
    assert "<strong>License &lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_it_rejects_a_self_signed_certificate_by_default(smtp_starttls: SmtpServer) -> None:
    """Refused, and retried loudly rather than dropped (issue 8.10: the same rule as the
    HTTP channels, see notifiers/base.py): fixing ca_file must find the row still there."""
    error = failure(settings_for(smtp_starttls))
    assert not error.permanent
    assert error.alert
    assert "could not be verified" in error.message
    assert "email.ca_file" in error.message
    assert smtp_starttls.messages == []


def test_it_sends_over_starttls_with_a_trusted_ca_and_logs_in(smtp_starttls: SmtpServer) -> None:
    settings = settings_for(
        smtp_starttls,
        ca_file=smtp_starttls.ca_file,
        username=SMTP_USER,
        password=Secret(SMTP_PASSWORD),
    )
    send(settings)
    (mail,) = smtp_starttls.messages
    assert mail.tls
    assert mail.login == SMTP_USER
    assert mail.message["Subject"] == SUBJECT


def test_it_sends_over_implicit_tls(smtp_ssl: SmtpServer) -> None:
    untrusted = failure(settings_for(smtp_ssl))  # untrusted without ca_file: retried, loudly
    assert not untrusted.permanent
    assert untrusted.alert
    assert smtp_ssl.messages == []
    send(settings_for(smtp_ssl, ca_file=smtp_ssl.ca_file))
    assert smtp_ssl.messages[0].tls


def test_it_gives_up_on_a_wrong_password(
    smtp_auth: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-password-0f9e8d"
    settings = settings_for(smtp_auth, username=SMTP_USER, password=Secret(wrong))
    error = failure(settings)
    assert error.permanent
    assert "535" in error.message
    assert "authentication failed" in error.message
    shown = [str(error), repr(error), repr(settings), *(r.getMessage() for r in caplog.records)]
    assert not any(wrong in text for text in shown)
    assert smtp_auth.messages == []


def test_it_logs_in_over_plain_smtp_to_a_loopback_relay(smtp_auth: SmtpServer) -> None:
    send(settings_for(smtp_auth, username=SMTP_USER, password=Secret(SMTP_PASSWORD)))
    assert smtp_auth.messages[0].login == SMTP_USER


def test_it_retries_a_4xx_and_then_succeeds(smtp_server: SmtpServer) -> None:
    smtp_server.then_reply("451 4.3.0 Try again later")
    settings = settings_for(smtp_server)
    error = failure(settings)
    assert not error.permanent
    assert error.message == "SMTP answered 451 4.3.0 Try again later"
    send(settings)
    assert smtp_server.attempts == 2
    assert len(smtp_server.messages) == 1


def test_it_gives_up_on_a_5xx(smtp_server: SmtpServer) -> None:
    smtp_server.then_reply("550 5.7.1 Message rejected as spam")
    error = failure(settings_for(smtp_server))
    assert error.permanent
    assert error.message == "SMTP answered 550 5.7.1 Message rejected as spam"


@pytest.mark.parametrize(
    ("reply", "permanent"), [("550 5.1.1 No such user", True), ("450 4.2.1 Mailbox busy", False)]
)
def test_it_classifies_refused_recipients_by_code(reply: str, permanent: bool) -> None:
    with SmtpServer(refuse={RECIPIENT: reply}) as server:
        error = failure(settings_for(server))
    assert error.permanent is permanent
    assert f"{RECIPIENT} ({reply[:3]})" in error.message


def test_it_says_who_was_refused_when_only_some_recipients_are() -> None:
    """Issue 8.6: a partial refusal is not a success: the dispatcher is told who got it,
    who is to be retried (4xx) and who was refused for good (5xx)."""
    refuse: dict[str, str | list[str]] = {
        "gone@example.com": "550 5.1.1 No such user",
        "busy@example.com": "450 4.2.1 Mailbox busy",
    }
    with SmtpServer(refuse=refuse) as server:
        settings = settings_for(server, recipients=(RECIPIENT, *refuse))
        with pytest.raises(RecipientsRefused) as caught:
            send(settings)
        assert server.messages[0].rcpt_tos == (RECIPIENT,)
    error = caught.value
    assert error.delivered
    assert error.pending == ("busy@example.com",)
    assert error.refused == {"gone@example.com": "550 5.1.1 No such user"}
    assert not error.permanent
    assert "gone@example.com (550) 5.1.1 No such user" in error.message
    assert "busy@example.com (450) 4.2.1 Mailbox busy" in error.message


def test_it_sends_a_retry_only_to_the_recipients_still_pending(smtp_server: SmtpServer) -> None:
    settings = settings_for(smtp_server, recipients=(RECIPIENT, "busy@example.com"))
    delivery = replace(sample_delivery("email"), recipients=("busy@example.com", "old@example.com"))
    send(settings, delivery)  # old@ is no longer configured: not sent to
    (mail,) = smtp_server.messages
    assert mail.rcpt_tos == ("busy@example.com",)
    assert mail.message["To"] == f"{RECIPIENT}, busy@example.com"


def test_it_says_when_the_server_offers_no_starttls(smtp_server: SmtpServer) -> None:
    error = failure(settings_for(smtp_server, security="starttls"))
    assert error.permanent
    assert "STARTTLS" in error.message


def test_it_says_when_ssl_meets_a_plain_port(smtp_server: SmtpServer) -> None:
    error = failure(settings_for(smtp_server, security="ssl"))
    assert "SMTP 127.0.0.1:" in error.message


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections but never says a word (a hung server)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        yield int(listener.getsockname()[1])


def test_it_times_out_on_a_silent_server(silent_port: int, smtp_server: SmtpServer) -> None:
    settings = replace(settings_for(smtp_server), port=silent_port, timeout=0.5)
    started = time.monotonic()
    error = failure(settings)
    assert time.monotonic() - started < 2
    assert not error.permanent
    assert error.message == f"SMTP 127.0.0.1:{silent_port} timed out after 0.5 s"


def test_it_reports_a_refused_connection_as_transient(smtp_server: SmtpServer) -> None:
    settings = settings_for(smtp_server)
    smtp_server.stop()
    error = failure(settings)
    assert not error.permanent
    assert error.message == f"SMTP 127.0.0.1:{settings.port} failed: Connection refused"


def test_it_names_a_named_channels_keys_in_hints(smtp_starttls: SmtpServer) -> None:
    error = failure(settings_for(smtp_starttls, name="bd-team"))
    assert "set channels.bd-team.ca_file to" in error.message


def test_it_gives_up_when_the_ca_file_is_not_a_certificate(
    smtp_starttls: SmtpServer, tmp_path: Path
) -> None:
    bogus = tmp_path / "ca.pem"
    bogus.write_text("not a certificate")
    error = failure(settings_for(smtp_starttls, ca_file=bogus))
    assert error.permanent
    assert error.message.startswith("cannot load email.ca_file (")


def test_a_burst_is_one_email_listing_every_filing(smtp_server: SmtpServer, tmp_path: Path) -> None:
    from edgarwatch.notifiers.dispatch import Dispatcher
    from edgarwatch.policy import NotifySettings
    from edgarwatch.storage import Storage
    from tests.test_dispatch import queue

    storage = Storage.open(tmp_path / "edgarwatch.db")
    accessions = queue(storage, ["email"], count=12)
    notifier = EmailNotifier(settings_for(smtp_server))
    result = Dispatcher(storage, {"email": notifier}, NotifySettings(), "me:1").dispatch()
    assert (result.sent, result.summaries) == (12, 1)
    (mail,) = smtp_server.messages
    assert mail.message["Subject"] == "12 new filings: Item 1.01"
    text = parts(mail.message)
    for accession in accessions:
        assert f"({accession})" in text["text/plain"]
        assert f"{accession}-index.htm" in text["text/html"]
    assert mail.message["Message-ID"].startswith("<edgarwatch.summary-")
