"""Digests and alarms through the outbox: every channel says a `Message` in its own format,
within its limits, escaped like filer text; delivery is the notifications' (claim, send,
mark; retried; dead when refused for good; a crash re-sends at most once)."""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from edgarwatch.notifiers.apprise import AppriseNotifier, AppriseSettings
from edgarwatch.notifiers.base import Delivery, Notifier
from edgarwatch.notifiers.console import ConsoleNotifier, ConsoleSettings
from edgarwatch.notifiers.discord import DiscordNotifier, DiscordSettings
from edgarwatch.notifiers.dispatch import Dispatcher
from edgarwatch.notifiers.email import EmailNotifier
from edgarwatch.notifiers.email_settings import EmailSettings
from edgarwatch.notifiers.message import Entry, Group, Message, message_text
from edgarwatch.notifiers.pacing import Pacer
from edgarwatch.notifiers.slack import SlackNotifier, SlackSettings
from edgarwatch.notifiers.teams import TeamsNotifier, TeamsSettings
from edgarwatch.notifiers.webhook import WebhookNotifier, WebhookSettings, verify_signature
from edgarwatch.policy import NotifySettings
from edgarwatch.secrets import Secret
from edgarwatch.storage import Outgoing, Storage
from tests.servers.discord_receiver import DiscordReceiver
from tests.servers.ntfy_receiver import NtfyReceiver
from tests.servers.slack_receiver import HttpReceiver, Reply, SlackReceiver
from tests.servers.smtp import SmtpServer
from tests.servers.teams_receiver import TeamsReceiver

SIGNING_KEY = "signing-key-for-message-tests-5c1e"
HOSTILE = "<!channel> @everyone [click](https://evil.example) *bold* <b>x</b> & co"


def digest(filings: int = 3, *, hostile: bool = False) -> Message:
    """A digest of `filings` filings from ten companies (the builder's shape)."""
    groups = []
    for company in range(min(filings, 10)):
        count = len(range(company, filings, 10))
        name = HOSTILE if hostile and company == 0 else f"COMPANY {company} INC"
        entries = tuple(
            Entry(
                text=f"8-K · Items 1.01 Entry into a Material Definitive Agreement; 9.01 "
                f"Financial Statements and Exhibits · accepted 2026-03-10 16:{n:02d} ET",
                note=HOSTILE
                if hostile
                else f"Licence agreement with Partner {n} — $75.0 million upfront",
                url=f"https://www.sec.gov/Archives/edgar/data/{9100000 + company}/{n:018d}/x-index.htm",
                label="Filing index",
            )
            for n in range(count)
        )
        groups.append(Group(f"{name} (CIK {9100000 + company})", entries))
    return Message(
        kind="digest",
        title=f"edgarwatch digest for Tue 10 Mar 2026: {filings} new filings",
        summary=f"{filings} new filings of watched companies recorded since Mon 9 Mar 07:00 ET.",
        groups=tuple(groups),
        footer="edgarwatch · daily digest for chan at 07:00 ET",
        data={
            "day": "2026-03-10",
            "total": filings,
            "more_hint": "edgarwatch filings --since 2026-03-09",
        },
    )


def alarm(state: str = "raised") -> Message:
    return Message(
        kind="alarm",
        title=f"edgarwatch {'ALARM' if state == 'raised' else 'cleared'}: SEC rate-limit block",
        summary="The SEC refused our requests (HTTP 403): all SEC traffic is paused until "
        "2026-03-10 14:32 ET. (raised 2026-03-10 14:22 ET)",
        footer="edgarwatch on host · alarm sec-block",
        state=state,
        data={"name": "sec-block", "state": state},
    )


def queue(storage: Storage, channel: str, message: Message, key: str) -> None:
    assert storage.messages.queue(
        channel, Outgoing(key, message.kind, message.title, message.to_json())
    )


def message_statuses(storage: Storage) -> list[tuple[str, str]]:
    rows = storage.connections.query("SELECT key, status FROM messages ORDER BY rowid")
    return [(row["key"], row["status"]) for row in rows]


@dataclass(frozen=True)
class Kind:
    kind: str
    server: Callable[[], HttpReceiver]
    notifier: Callable[[str], Notifier]


HTTP_KINDS = [
    Kind(
        "slack",
        SlackReceiver,
        lambda url: SlackNotifier(
            SlackSettings(name="chan", webhook_url=Secret(url), timeout=2, min_interval_seconds=0)
        ),
    ),
    Kind(
        "teams",
        TeamsReceiver,
        lambda url: TeamsNotifier(
            TeamsSettings(name="chan", webhook_url=Secret(url), timeout=2, min_interval_seconds=0)
        ),
    ),
    Kind(
        "discord",
        DiscordReceiver,
        lambda url: DiscordNotifier(
            DiscordSettings(name="chan", webhook_url=Secret(url), timeout=2)
        ),
    ),
    Kind(
        "apprise",
        NtfyReceiver,
        lambda url: AppriseNotifier(
            AppriseSettings(name="chan", url=Secret(url), timeout=2, min_interval_seconds=0)
        ),
    ),
    Kind(
        "webhook",
        HttpReceiver,
        lambda url: WebhookNotifier(
            WebhookSettings(name="chan", url=Secret(url), secret=Secret(SIGNING_KEY), timeout=2)
        ),
    ),
]


@pytest.fixture(params=HTTP_KINDS, ids=[k.kind for k in HTTP_KINDS])
def kind(request: pytest.FixtureRequest) -> Kind:
    found = request.param
    assert isinstance(found, Kind)
    return found


@contextmanager
def served(kind: Kind) -> Iterator[tuple[HttpReceiver, Notifier]]:
    with kind.server() as server:
        notifier = kind.notifier(server.url)
        try:
            yield server, notifier
        finally:
            notifier.close()


def test_every_channel_takes_a_digest_of_a_busy_day_within_its_limits(
    kind: Kind, tmp_path: Path
) -> None:
    with served(kind) as (server, notifier):
        storage = Storage.open(tmp_path / "edgarwatch.db")
        queue(storage, "chan", digest(250, hostile=True), "digest:2026-03-10")
        result = Dispatcher(storage, {"chan": notifier}, NotifySettings(), "me:1").dispatch()
        assert (result.sent, result.dead) == (1, 0), result.errors
        assert server.delivered == 1  # the receiver found the payload valid for its service
        body = server.requests[0].body.decode()
    assert message_statuses(storage) == [("digest:2026-03-10", "sent")]
    assert "2026-03-10" in body or "Mar 2026" in body
    if kind.kind == "webhook":
        document = json.loads(body)
        assert document["type"] == "digest"
        assert sum(len(g["entries"]) for g in document["groups"]) == 250  # a program gets it all
        assert document["digest"]["total"] == 250
    else:
        assert "more filings" in body  # a channel says what did not fit
    escaped_like_filer_text(kind.kind, body)


def escaped_like_filer_text(kind: str, body: str) -> None:
    """What each service would read as markup arrives as literal text."""
    if kind == "slack":
        assert "<!channel>" not in body  # would ping the channel
        assert "&lt;!channel&gt;" in body
    elif kind == "discord":
        payload = json.loads(body)
        assert payload["allowed_mentions"] == {"parse": []}  # @everyone pings nobody
        description = payload["embeds"][0]["description"]
        assert "[click](https://evil.example)" not in description
        assert "\\[click\\]" in description
    elif kind == "teams":
        runs = []

        def walk(node: object) -> None:
            if isinstance(node, dict):
                if HOSTILE[:10] in str(node.get("text", "")):
                    runs.append(node.get("type"))
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(json.loads(body))
        assert runs
        assert set(runs) == {"TextRun"}  # never a TextBlock, which reads Markdown


def test_every_channel_says_an_alarm_and_its_clearing(kind: Kind, tmp_path: Path) -> None:
    with served(kind) as (server, notifier):
        storage = Storage.open(tmp_path / "edgarwatch.db")
        queue(storage, "chan", alarm("raised"), "alarm:sec-block:raised:t")
        queue(storage, "chan", alarm("cleared"), "alarm:sec-block:cleared:t")
        result = Dispatcher(storage, {"chan": notifier}, NotifySettings(), "me:1").dispatch()
        assert result.sent == 2, result.errors
        bodies = [r.body.decode("utf-8") for r in server.requests]
    assert "ALARM: SEC rate-limit block" in bodies[0]
    assert "cleared: SEC rate-limit block" in bodies[1]
    assert "14:32 ET" in bodies[0]
    if kind.kind == "webhook":
        first = json.loads(bodies[0])
        assert (first["type"], first["state"], first["alarm"]["name"]) == (
            "alarm",
            "raised",
            "sec-block",
        )
        request = server.requests[0]
        assert verify_signature(
            SIGNING_KEY,
            request.header("X-Edgarwatch-Timestamp") or "",
            request.body,
            request.header("X-Edgarwatch-Signature"),
        )


def test_email_sends_a_digest_as_text_and_html(smtp_server: SmtpServer, tmp_path: Path) -> None:
    notifier = EmailNotifier(
        EmailSettings(
            name="mail",
            host="127.0.0.1",
            port=smtp_server.port,
            security="none",
            sender="edgarwatch@acme.test",
            recipients=("bd@acme.test",),
            timeout=5,
        )
    )
    storage = Storage.open(tmp_path / "edgarwatch.db")
    queue(storage, "mail", digest(12, hostile=True), "digest:2026-03-10")
    result = Dispatcher(storage, {"mail": notifier}, NotifySettings(), "me:1").dispatch()
    assert result.sent == 1, result.errors
    mail = smtp_server.messages[0].message
    assert mail["Subject"] == "edgarwatch digest for Tue 10 Mar 2026: 12 new filings"
    assert mail["X-Edgarwatch-Kind"] == "digest"
    delivery = storage.connections.query("SELECT delivery_id FROM messages")[0]["delivery_id"]
    assert mail["X-Edgarwatch-Delivery"] == delivery
    text = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert text is not None
    assert html is not None
    assert "Licence agreement" not in text.get_content()  # the hostile digest's notes
    assert "<b>x</b>" not in html.get_content()
    assert "&lt;b&gt;x&lt;/b&gt;" in html.get_content()
    assert text.get_content().count("- 8-K") == 12


def test_the_console_prints_the_whole_message() -> None:
    stream = io.StringIO()
    notifier = ConsoleNotifier(ConsoleSettings(stream=stream))
    notifier.send_message(digest(3), Delivery("d-1", "console", "digest", ()))
    printed = stream.getvalue()
    assert "edgarwatch digest for Tue 10 Mar 2026: 3 new filings" in printed
    assert printed.count("Filing index: https://www.sec.gov/") == 3
    assert message_text(digest(3)).strip() in printed


def test_a_message_is_stored_whole_and_read_back_alike() -> None:
    message = digest(25, hostile=True)
    assert Message.from_json(message.to_json()) == message
    assert Message.from_json(alarm().to_json()) == alarm()


def test_a_refused_message_is_dead_at_once_and_a_failed_one_retried(tmp_path: Path) -> None:
    with SlackReceiver() as server:
        notifier = SlackNotifier(
            SlackSettings(
                name="chan", webhook_url=Secret(server.url), timeout=2, min_interval_seconds=0
            )
        )
        storage = Storage.open(tmp_path / "edgarwatch.db")
        queue(storage, "chan", alarm(), "alarm:a")
        queue(storage, "chan", digest(), "digest:d")
        server.reply(Reply(404, "no_service"), Reply(503, "", {"Retry-After": "1"}))
        dispatcher = Dispatcher(storage, {"chan": notifier}, NotifySettings(), "me:1")
        result = dispatcher.dispatch()
        assert (result.dead, result.retried) == (1, 1)
        assert message_statuses(storage) == [("alarm:a", "dead"), ("digest:d", "pending")]
        storage.connections.db.execute("UPDATE messages SET next_attempt_at = created_at")
        notifier.pacer = Pacer()
        assert dispatcher.dispatch().sent == 1
        assert dispatcher.dispatch().sent == 0
    assert message_statuses(storage) == [("alarm:a", "dead"), ("digest:d", "sent")]
    assert storage.messages.counts() == {"pending": 0, "dead": 1}


def test_a_message_claimed_by_a_process_that_died_is_sent_again_once(tmp_path: Path) -> None:
    """kill -9 between send and mark: the row is still claimed by the dead process; the
    next start frees it and sends it once more — one duplicate, never a loss."""
    with HttpReceiver() as server:
        storage = Storage.open(tmp_path / "edgarwatch.db")
        queue(storage, "chan", alarm(), "alarm:a")
        dead_owner = f"{socket.gethostname()}:{2**22 + 12345}"  # no such pid
        claimed = storage.messages.claim_due(datetime.now(UTC), dead_owner)
        assert [row.key for row in claimed] == ["alarm:a"]
        notifier = WebhookNotifier(WebhookSettings(name="chan", url=Secret(server.url), timeout=2))
        dispatcher = Dispatcher(storage, {"chan": notifier}, NotifySettings(), "me:1")
        assert dispatcher.dispatch().sent == 0  # claimed: not sent twice at once
        assert storage.messages.release_dead_claims() == 1
        assert dispatcher.dispatch().sent == 1
        assert dispatcher.dispatch().sent == 0
        assert server.delivered == 1


def test_a_message_to_a_channel_no_longer_configured_is_dead_saying_so(tmp_path: Path) -> None:
    storage = Storage.open(tmp_path / "edgarwatch.db")
    queue(storage, "gone", alarm(), "alarm:a")
    result = Dispatcher(storage, {}, NotifySettings(), "me:1").dispatch()
    assert result.dead == 1
    row = storage.connections.query("SELECT status, last_error FROM messages")[0]
    assert row == {"status": "dead", "last_error": "channel 'gone' is no longer configured"}


def test_the_same_key_is_queued_once(tmp_path: Path) -> None:
    storage = Storage.open(tmp_path / "edgarwatch.db")
    message = alarm()
    outgoing = Outgoing("alarm:a", "alarm", message.title, message.to_json())
    assert storage.messages.queue("chan", outgoing)
    assert not storage.messages.queue("chan", outgoing)
    assert storage.messages.queue("other", outgoing)  # unique per channel
