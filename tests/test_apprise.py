"""The Apprise channel, through Apprise's ntfy plugin, against a loopback ntfy."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from edgarwatch.cli import main
from edgarwatch.config import ConfigError, from_mapping
from edgarwatch.filing import Item
from edgarwatch.notifiers import NotifierError, notifier_for
from edgarwatch.notifiers import apprise as apprise_channel
from edgarwatch.notifiers.apprise import AppriseNotifier, AppriseSettings
from edgarwatch.notifiers.dispatch import Dispatcher
from edgarwatch.notifiers.sample import ITEM_101_TEXT, sample_delivery, sample_report
from edgarwatch.policy import NotifySettings
from edgarwatch.secrets import Secret, redact
from edgarwatch.storage import Storage
from tests.servers.ntfy_receiver import FORBIDDEN, TOO_MANY, TOPIC, NtfyReceiver
from tests.support import USER_AGENT, write_config
from tests.test_dispatch import queue, statuses


@pytest.fixture
def ntfy() -> Iterator[NtfyReceiver]:
    with NtfyReceiver() as server:
        yield server


def channel(url: str, min_interval_seconds: float = 1.0) -> AppriseNotifier:
    settings = AppriseSettings(
        name="apprise", url=Secret(url), timeout=2, min_interval_seconds=min_interval_seconds
    )
    built = notifier_for(settings)
    assert isinstance(built, AppriseNotifier)
    return built


def failure(notifier: AppriseNotifier) -> NotifierError:
    with pytest.raises(NotifierError) as caught:
        notifier.send(sample_report(), sample_delivery("apprise"))
    return caught.value


def test_it_sends_the_filing_as_plain_text(ntfy: NtfyReceiver) -> None:
    channel(ntfy.url).send(sample_report(), sample_delivery("apprise"))
    (message,) = ntfy.messages
    assert message["topic"] == TOPIC
    assert (
        message["title"]
        == "IMMUNOGEN INC — 8-K Item 1.01: Entry into a Material Definitive Agreement"
    )
    assert message["message"].startswith(  # what was signed, first
        "Manufacturing agreement with Società Italiana Corticosteroidi S.r.l (SICOR)"
    )
    assert "IMMUNOGEN INC (CIK 855654)" in message["message"]
    assert ITEM_101_TEXT in message["message"]
    assert f"Filing index: {sample_report().filing.url}" in message["message"]


def test_a_failure_is_transient_with_apprises_reason(ntfy: NtfyReceiver) -> None:
    """Apprise says only delivered or failed: even a 403 is retried (then given up on)."""
    for reply, reason in ((TOO_MANY, "limit reached: too many requests"), (FORBIDDEN, "forbidden")):
        ntfy.reply(reply)
        error = failure(channel(ntfy.url))
        assert not error.permanent
        assert reason in error.message
        assert error.message.startswith("ntfy via Apprise (")


def test_apprises_own_retries_and_throttle_are_off(ntfy: NtfyReceiver) -> None:
    """One request per send even with ?retry=3 in the URL; no 5.5 s sleep between sends."""
    notifier = channel(ntfy.url + "?retry=3&wait=0.1")
    ntfy.reply(TOO_MANY)
    failure(notifier)
    assert len(ntfy.requests) == 1
    started = time.monotonic()
    for _ in range(3):
        notifier.send(sample_report(), sample_delivery("apprise"))
    assert time.monotonic() - started < 1.0
    assert len(ntfy.messages) == 3


def test_the_body_fits_the_services_own_limit(ntfy: NtfyReceiver) -> None:
    notifier = channel(ntfy.url)
    report = replace(sample_report(), items=(Item("1.01", "", "word " * 5000),))
    notifier.send(report, sample_delivery("apprise"))
    body = ntfy.messages[0]["message"]
    assert len(body) <= notifier.service.body_maxlen
    assert "word…" in body
    assert f"Filing index: {sample_report().filing.url}" in body  # links survive the trim


def test_a_burst_is_one_summary_listing_every_filing(ntfy: NtfyReceiver, tmp_path: Path) -> None:
    storage = Storage.open(tmp_path / "edgarwatch.db")
    accessions = queue(storage, ["apprise"], count=12)
    notifier = channel(ntfy.url, min_interval_seconds=0.0)
    result = Dispatcher(storage, {"apprise": notifier}, NotifySettings(), "me:1").dispatch()
    assert (result.sent, result.summaries) == (12, 1)
    (message,) = ntfy.messages
    assert message["title"] == "12 new filings: Item 1.01"
    assert all(accession in message["message"] for accession in accessions)
    assert statuses(storage)["apprise"] == ["sent"] * 12


def test_it_never_reveals_the_url(ntfy: NtfyReceiver, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    ntfy.reply(FORBIDDEN)
    notifier = channel(ntfy.url)
    error = failure(notifier)
    shown = [str(error), repr(notifier.settings), notifier.where]
    shown += [redact(record.getMessage()) for record in caplog.records]  # what our handler writes
    assert all(TOPIC not in text for text in shown)
    assert "****" in error.message


def test_check_config_masks_an_apprise_url_whose_host_is_the_token(tmp_path: Path) -> None:
    token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    config = write_config(
        tmp_path / "config.toml",
        "http://127.0.0.1:9",
        tmp_path / "db.sqlite",
        extra=f'[channels.phones]\nkind = "apprise"\nurl = "tgram://{token}/-100123"\n',
    )
    result = CliRunner().invoke(main, ["--config", str(config), "check-config", "--show"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output[: result.output.rindex("}") + 1])
    assert [c["url"] for c in shown["channels"]] == ["tgram://****"]
    assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in result.output
    assert "123456789" not in result.output


def test_without_the_package_the_configuration_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(apprise_channel, "_apprise", lambda: None)
    document = {
        "edgar": {"user_agent": USER_AGENT},
        "channels": {"phones": {"kind": "apprise", "url": "ntfy://ntfy.sh/some-topic-name-here"}},
    }
    with pytest.raises(ConfigError) as caught:
        from_mapping(document, environ={})
    assert caught.value.problems == [
        "channels.phones.kind: 'apprise' needs the apprise package: "
        "pip install 'edgarwatch[apprise]'"
    ]


def test_a_url_apprise_does_not_know_is_a_configuration_error() -> None:
    document = {"edgar": {"user_agent": USER_AGENT}, "apprise": {"url": "nope://secret-value-123"}}
    with pytest.raises(ConfigError) as caught:
        from_mapping(document, environ={})
    assert "apprise.url: is not a URL Apprise knows" in str(caught.value)
    assert "secret-value-123" not in str(caught.value)
