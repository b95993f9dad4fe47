"""Every channel kind passes the same acceptance as Slack (issue 12.1).

Against its own loopback server playing the service's real answers: one
message per filing; a transient error retried to exactly one delivery; a
permanent error dead at once while another channel delivers; no secret in
the log or the database; `edgarwatch test-notify --channel NAME` works.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from edgarwatch import logs
from edgarwatch.cli import main
from edgarwatch.notifiers.apprise import AppriseNotifier, AppriseSettings
from edgarwatch.notifiers.base import Notifier
from edgarwatch.notifiers.discord import DiscordNotifier, DiscordSettings
from edgarwatch.notifiers.dispatch import Dispatcher
from edgarwatch.notifiers.pacing import Pacer
from edgarwatch.notifiers.slack import SlackNotifier, SlackSettings
from edgarwatch.notifiers.teams import TeamsNotifier, TeamsSettings
from edgarwatch.notifiers.webhook import WebhookNotifier, WebhookSettings
from edgarwatch.policy import NotifySettings
from edgarwatch.secrets import Secret
from edgarwatch.storage import Storage
from edgarwatch.storage.timefmt import iso
from tests.servers import discord_receiver, ntfy_receiver, teams_receiver
from tests.servers.discord_receiver import DiscordReceiver
from tests.servers.ntfy_receiver import NtfyReceiver
from tests.servers.slack_receiver import SLACK_PATH, HttpReceiver, Reply, SlackReceiver
from tests.servers.teams_receiver import TeamsReceiver
from tests.support import write_config
from tests.test_dispatch import statuses, storage_with


@dataclass(frozen=True)
class Kind:
    """How to stand up one channel kind against its loopback server."""

    kind: str
    server: Callable[[], HttpReceiver]
    notifier: Callable[[str], Notifier]
    url_key: str
    secret: str
    transient: Reply
    permanent: Reply | None  # None: the kind cannot tell (Apprise)


KINDS = [
    Kind(
        "slack",
        SlackReceiver,
        lambda url: SlackNotifier(
            SlackSettings(name="chan", webhook_url=Secret(url), timeout=2, min_interval_seconds=0)
        ),
        "webhook_url",
        SLACK_PATH.rsplit("/", 1)[1],
        Reply(503, "", {"Retry-After": "1"}),
        Reply(404, "no_service"),
    ),
    Kind(
        "teams",
        TeamsReceiver,
        lambda url: TeamsNotifier(
            TeamsSettings(name="chan", webhook_url=Secret(url), timeout=2, min_interval_seconds=0)
        ),
        "webhook_url",
        teams_receiver.SIG,
        teams_receiver.throttled(1),
        teams_receiver.WORKFLOW_NOT_FOUND,
    ),
    Kind(
        "discord",
        DiscordReceiver,
        lambda url: DiscordNotifier(
            DiscordSettings(name="chan", webhook_url=Secret(url), timeout=2)
        ),
        "webhook_url",
        discord_receiver.TOKEN,
        Reply(502, '{"message": "502: Bad Gateway", "code": 0}'),
        discord_receiver.UNKNOWN_WEBHOOK,
    ),
    Kind(
        "apprise",
        NtfyReceiver,
        lambda url: AppriseNotifier(
            AppriseSettings(name="chan", url=Secret(url), timeout=2, min_interval_seconds=0)
        ),
        "url",
        ntfy_receiver.TOPIC,
        ntfy_receiver.TOO_MANY,
        None,
    ),
]


@pytest.fixture(params=KINDS, ids=[k.kind for k in KINDS])
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


def due_now(storage: Storage, notifier: Notifier) -> None:
    storage.connections.db.execute(
        "UPDATE notifications SET next_attempt_at = ?", [iso(datetime.now(UTC))]
    )
    notifier.pacer = Pacer()  # no need to sit out the channel's pause in a test


def test_one_message_per_filing(kind: Kind, tmp_path: Path) -> None:
    with served(kind) as (server, notifier):
        storage = storage_with(tmp_path, ["chan"], count=3)
        result = Dispatcher(storage, {"chan": notifier}, NotifySettings(), "me:1").dispatch()
        assert result.sent == 3
        assert server.delivered == 3
    assert statuses(storage)["chan"] == ["sent"] * 3


def test_a_transient_error_is_retried_to_exactly_one_delivery(kind: Kind, tmp_path: Path) -> None:
    with served(kind) as (server, notifier):
        storage = storage_with(tmp_path, ["chan"])
        dispatcher = Dispatcher(storage, {"chan": notifier}, NotifySettings(), "me:1")
        server.reply(kind.transient)
        assert dispatcher.dispatch().retried == 1
        assert statuses(storage)["chan"] == ["pending"]
        due_now(storage, notifier)
        assert dispatcher.dispatch().sent == 1
        assert dispatcher.dispatch().sent == 0
        assert server.delivered == 1
        assert len(server.requests) == 2


def test_a_permanent_error_is_dead_at_once_and_other_channels_deliver(
    kind: Kind, tmp_path: Path
) -> None:
    if kind.permanent is None:
        pytest.skip(f"{kind.kind} answers only delivered or failed: retried until given up on")
    with served(kind) as (server, notifier), HttpReceiver() as other:
        storage = storage_with(tmp_path, ["chan", "other"], count=2)
        webhook = WebhookNotifier(WebhookSettings(name="other", url=Secret(other.url), timeout=2))
        server.reply(kind.permanent, kind.permanent)
        dispatcher = Dispatcher(
            storage, {"chan": notifier, "other": webhook}, NotifySettings(), "me:1"
        )
        result = dispatcher.dispatch()
        assert (result.dead, result.sent) == (2, 2)
        assert other.delivered == 2
    assert statuses(storage) == {"chan": ["dead", "dead"], "other": ["sent", "sent"]}
    attempts = storage.connections.query(
        "SELECT attempts FROM notifications WHERE channel = 'chan'"
    )
    assert [row["attempts"] for row in attempts] == [1, 1]


def test_apprise_failures_are_dead_only_once_given_up_on(tmp_path: Path) -> None:
    kind = next(k for k in KINDS if k.kind == "apprise")
    with served(kind) as (server, notifier):
        storage = storage_with(tmp_path, ["chan"])
        server.reply(ntfy_receiver.FORBIDDEN, ntfy_receiver.FORBIDDEN)
        dispatcher = Dispatcher(
            storage, {"chan": notifier}, NotifySettings(give_up_hours=0.01), "me:1"
        )
        assert dispatcher.dispatch().retried == 1
        storage.connections.db.execute(
            "UPDATE notifications SET created_at = '2020-01-01T00:00:00+00:00'"
        )
        due_now(storage, notifier)
        assert dispatcher.dispatch().dead == 1
    assert "gave up after" in storage.outbox.dead_by_channel()[0]["last_error"]


def test_no_secret_reaches_the_log_or_the_database(kind: Kind, tmp_path: Path) -> None:
    stream = io.StringIO()
    logs.configure("debug", stream=stream)  # edgarwatch's own handler: what journald gets
    try:
        with served(kind) as (server, notifier):
            storage = storage_with(tmp_path, ["chan"], count=2)
            server.reply(kind.permanent or kind.transient, kind.transient)
            Dispatcher(storage, {"chan": notifier}, NotifySettings(), "me:1").dispatch()
            notifier.close()
            broken = kind.notifier(server.url + "x")  # a wrong token: the refusal path
            storage_b = storage_with(tmp_path / "b", ["chan"])
            Dispatcher(storage_b, {"chan": broken}, NotifySettings(), "me:1").dispatch()
    finally:
        logging.getLogger().handlers = [
            h for h in logging.getLogger().handlers if type(h).__module__ != "edgarwatch.logs"
        ]
    written = stream.getvalue()
    assert "channel chan did not take" in written or "is dead" in written
    assert kind.secret not in written
    dump = "\n".join(storage.connections.db.conn.iterdump())
    dump += "\n".join(storage_b.connections.db.conn.iterdump())
    assert kind.secret not in dump


def test_test_notify_sends_through_each_kind(kind: Kind, tmp_path: Path) -> None:
    with kind.server() as server:
        config = write_config(
            tmp_path / "config.toml",
            "http://127.0.0.1:9",
            tmp_path / "db.sqlite",
            extra=f'[channels.deal-team]\nkind = "{kind.kind}"\n{kind.url_key} = "{server.url}"\n',
        )
        runner = CliRunner()
        result = runner.invoke(
            main, ["--config", str(config), "test-notify", "--channel", "deal-team"]
        )
        assert (result.exit_code, result.output.strip()) == (0, "deal-team: sent")
        assert server.delivered == 1
        assert "IMMUNOGEN INC" in server.requests[0].body.decode()
        server.reply(kind.permanent or kind.transient)
        result = runner.invoke(
            main, ["--config", str(config), "test-notify", "--channel", "deal-team"]
        )
        assert result.exit_code == 1
        verdict = "permanent" if kind.permanent else "will retry"
        assert f"deal-team: FAILED ({verdict})" in result.output
        assert kind.secret not in result.output


def test_secrets_of_the_new_kinds_come_from_the_environment_or_credentials_and_stay_masked(
    tmp_path: Path,
) -> None:
    teams_url = f"https://prod-61.westus.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig={teams_receiver.SIG}"
    discord_url = (
        f"https://discord.com/api/webhooks/{discord_receiver.WEBHOOK_ID}/{discord_receiver.TOKEN}"
    )
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    (credentials / "channels.chat.webhook_url").write_text(discord_url + "\n")
    config = write_config(
        tmp_path / "config.toml",
        "http://127.0.0.1:9",
        tmp_path / "db.sqlite",
        extra=(
            '[channels.bd-teams]\nkind = "teams"\n\n'
            '[channels.chat]\nkind = "discord"\n\n'
            '[channels.phones]\nkind = "apprise"\n'
        ),
    )
    environ = {
        "EDGARWATCH_CHANNELS_BD_TEAMS_WEBHOOK_URL": teams_url,
        "EDGARWATCH_CHANNELS_PHONES_URL": f"ntfy://ntfy.sh/{ntfy_receiver.TOPIC}",
        "CREDENTIALS_DIRECTORY": str(credentials),
    }
    result = CliRunner().invoke(
        main, ["--config", str(config), "check-config", "--show"], env=environ
    )
    assert result.exit_code == 0, result.output
    assert "bd-teams (teams), chat (discord), phones (apprise)" in result.output
    assert "https://prod-61.westus.logic.azure.com:443/****" in result.output
    assert "https://discord.com/****" in result.output
    assert "ntfy://****" in result.output
    for secret in (teams_receiver.SIG, discord_receiver.TOKEN, ntfy_receiver.TOPIC):
        assert secret not in result.output
