"""Discord notifier against a loopback Discord webhook playing its real answers."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from edgarwatch.config import ConfigError, from_mapping
from edgarwatch.filing import Company, Exhibit, Item
from edgarwatch.notifiers import NotifierError, notifier_for
from edgarwatch.notifiers.base import Delivery
from edgarwatch.notifiers.discord import DiscordNotifier, DiscordSettings, embed_size
from edgarwatch.notifiers.dispatch import Dispatcher
from edgarwatch.notifiers.sample import FOLDER, sample_delivery, sample_report
from edgarwatch.policy import NotifySettings
from edgarwatch.secrets import Secret, redact
from tests.servers.discord_receiver import TOKEN, WEBHOOK_ID, DiscordReceiver
from tests.servers.slack_receiver import Reply
from tests.support import USER_AGENT
from tests.test_dispatch import storage_with

MASKED_LINK = re.compile(r"(?<!\\)\[([^\]]*)\]\((\S+?)\)")
EVIL = "@everyone [click](https://evil.example) **<@123456>** `x` ||spoiler||\n# Heading"


def discord_for(
    receiver: DiscordReceiver,
    url: str | None = None,
    *,
    username: str | None = None,
    coalesce_above: int = 10,
) -> DiscordNotifier:
    settings = DiscordSettings(
        name="discord",
        webhook_url=Secret(url or receiver.url),
        username=username,
        timeout=2,
        coalesce_above=coalesce_above,
    )
    built = notifier_for(settings)
    assert isinstance(built, DiscordNotifier)
    return built


@pytest.fixture
def receiver() -> Iterator[DiscordReceiver]:
    with DiscordReceiver() as server:
        yield server


def failure(notifier: DiscordNotifier) -> NotifierError:
    with pytest.raises(NotifierError) as caught:
        notifier.send(sample_report(), sample_delivery("discord"))
    return caught.value


def test_it_posts_an_embed_to_the_v10_route_and_waits_for_the_save(
    receiver: DiscordReceiver,
) -> None:
    exhibit = Exhibit("EX-10.1", "ex10-1.htm", f"{FOLDER}/ex10-1.htm", "Supply Agreement")
    discord_for(receiver, username="edgarwatch").send(
        replace(sample_report(), exhibits=(exhibit,)), sample_delivery("discord")
    )
    (request,) = receiver.requests
    assert request.path == f"/api/v10/webhooks/{WEBHOOK_ID}/{TOKEN}?wait=true"
    (payload,) = receiver.messages
    assert payload["allowed_mentions"] == {"parse": []}
    assert payload["username"] == "edgarwatch"
    assert payload["content"].startswith("IMMUNOGEN INC — 8-K Item 1.01: Entry into")
    (embed,) = payload["embeds"]
    assert embed["title"] == "IMMUNOGEN INC — 8-K Item 1.01"
    assert embed["url"] == sample_report().filing.url
    description = embed["description"]
    assert description.startswith(  # what was signed first (the sample has its deal terms)
        "**Manufacturing agreement with Società Italiana Corticosteroidi S.r.l \\(SICOR\\) — "
        "EUR 5,000,000 purchase price — through early 2008.**\n\n"
        "**Item 1.01 — Entry into a Material Definitive Agreement**\nParties:"
    )
    assert "Amounts:   EUR 5,000,000 purchase price" in description
    assert "\nOn April 30, 2007, ImmunoGen" in description
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Accepted"] == "2007-05-04 16:05 ET"
    assert f"[Filing index]({sample_report().filing.url})" in fields["Links"]
    assert f"[Agreement \\(EX-10.1\\)]({FOLDER}/ex10-1.htm)" in fields["Links"]


def test_a_filer_can_neither_ping_nor_link(receiver: DiscordReceiver) -> None:
    report = sample_report()
    report = replace(
        report,
        filing=replace(report.filing, companies=(Company(855654, EVIL),)),
        items=(Item("1.01", "Entry into a Material Definitive Agreement", EVIL),),
        exhibits=(Exhibit("EX-10.1", "x(1).htm", f"{FOLDER}/x(1).htm", EVIL),),
    )
    discord_for(receiver).send(report, sample_delivery("discord"))
    assert receiver.pings == []
    (payload,) = receiver.messages
    embed = payload["embeds"][0]
    texts = [payload["content"], embed["title"], embed["description"]]
    texts += [f["value"] for f in embed["fields"]]
    for text in texts:
        for _, url in MASKED_LINK.findall(text):
            assert url.startswith("https://www.sec.gov/Archives/"), url
            assert "(" not in url
            assert ")" not in url
    assert "\\[click\\]\\(https://evil.example\\)" in embed["description"]
    assert "\\*\\*\\<@123456\\>\\*\\*" in embed["description"]
    assert "\n\\# Heading" in embed["description"]


def test_it_stays_within_every_discord_limit(receiver: DiscordReceiver) -> None:
    numbers = tuple(f"{major}.{minor:02d}" for major in range(1, 9) for minor in range(1, 9))
    items = tuple(Item(n, "", "R&D *bold* " * 800) for n in numbers)
    report = sample_report()
    report = replace(
        report,
        items=items,
        filing=replace(report.filing, items=numbers, companies=(Company(1, "ACME_" * 100),)),
        exhibits=tuple(
            Exhibit(f"EX-10.{n}", f"e{n}.htm", f"{FOLDER}/e{n}.htm", "d" * 300) for n in range(40)
        ),
    )
    discord_for(receiver).send(report, Delivery("d", "discord", "all", numbers))  # 400 otherwise
    embed = receiver.messages[0]["embeds"][0]
    assert 5500 < embed_size(embed) <= 6000  # trimmed to the limit, not far below
    assert embed["description"].count("**Item ") >= 8
    assert "more items: " in embed["description"]
    assert "8.08" in embed["description"]


def test_it_paces_itself_by_the_rate_limit_headers(tmp_path: Path) -> None:
    with DiscordReceiver(limit=5, per=1.0) as limited:
        storage = storage_with(tmp_path, ["discord"], count=8)
        notifier = discord_for(limited, coalesce_above=0)
        started = time.monotonic()
        result = Dispatcher(storage, {"discord": notifier}, NotifySettings(), "me:1").dispatch()
        elapsed = time.monotonic() - started
    assert result.sent == 8
    assert limited.throttled == 0
    assert 0.8 < elapsed < 3.0  # five at once, then a wait for the bucket's reset


def test_a_429_is_transient_with_retry_after_in_float_seconds(receiver: DiscordReceiver) -> None:
    receiver.window.limit = 1
    notifier = discord_for(receiver)
    notifier.send(sample_report(), sample_delivery("discord"))
    assert notifier.pacer.wait() > 0  # Remaining: 0 — the channel would wait for the reset
    time.sleep(0.01)  # but go now, to meet the 429 itself
    error = failure(notifier)
    assert not error.permanent
    assert error.retry_after is not None
    assert 0 < error.retry_after <= 2.0
    assert error.retry_after != int(error.retry_after)  # the body's float, not the header's ceil


def test_a_deleted_webhook_is_permanent(receiver: DiscordReceiver) -> None:
    error = failure(discord_for(receiver, receiver.url.replace(WEBHOOK_ID, "1")))
    assert error.permanent
    assert "HTTP 404" in error.message
    assert "Unknown Webhook" in error.message
    assert "create a new one" in error.message


def test_a_regenerated_token_is_permanent(receiver: DiscordReceiver) -> None:
    error = failure(discord_for(receiver, receiver.url.replace(TOKEN, "old-token")))
    assert error.permanent
    assert "50027" in error.message


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_transient(receiver: DiscordReceiver, status: int) -> None:
    receiver.reply(Reply(status, '{"message": "gateway unavailable", "code": 0}'))
    assert not failure(discord_for(receiver)).permanent


def test_it_never_reveals_the_token(
    receiver: DiscordReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    notifier = discord_for(receiver, receiver.url.replace(WEBHOOK_ID, "1"))
    error = failure(notifier)
    shown = [str(error), repr(error), repr(notifier.settings)]
    shown += [redact(record.getMessage()) for record in caplog.records]
    assert all(TOKEN not in text for text in shown)


def test_the_configuration_refuses_a_url_that_is_not_a_discord_webhook() -> None:
    document = {
        "edgar": {"user_agent": USER_AGENT},
        "discord": {"webhook_url": "https://discord.com/api/webhooks/123/abc/slack"},
    }
    with pytest.raises(ConfigError) as caught:
        from_mapping(document, environ={})
    assert "discord.webhook_url: must be a Discord webhook URL" in str(caught.value)
    assert "abc" not in str(caught.value)
