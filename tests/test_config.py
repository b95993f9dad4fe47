"""Configuration: typed settings, every problem at once, exit 78, secrets never shown."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest
from click.testing import CliRunner

from edgarwatch.cli import main
from edgarwatch.config import EX_CONFIG, ConfigError, Settings, from_mapping, load
from edgarwatch.edgar.ratelimit import EFFECTIVE_CEILING, RateLimiter
from edgarwatch.filing import FilingReport
from edgarwatch.notifiers import REGISTRY, Delivery, Notifier, notifier_for
from edgarwatch.notifiers.email_settings import EmailSettings
from edgarwatch.notifiers.slack import SlackSettings
from edgarwatch.replay.server import Replay
from edgarwatch.secrets import Secret
from edgarwatch.settings import setting
from tests.process import edgarwatch
from tests.support import REPO, USER_AGENT, write_config

GOOD = {"edgar": {"user_agent": USER_AGENT}}


def problems(document: dict[str, Any], environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        from_mapping(document, environ=environ or {})
    return caught.value.problems


def test_it_loads_defaults_from_a_minimal_file() -> None:
    settings = from_mapping(GOOD, environ={})
    assert settings.edgar.requests_per_second == 5
    assert settings.edgar.base_url == "https://www.sec.gov"
    assert settings.edgar.data_url == "https://data.sec.gov"
    assert (
        settings.poll.interval_seconds == 5
    )  # idle polls are a 10-entry page: every few seconds by default
    assert settings.poll.reconcile_minutes == 60
    assert settings.poll.off_hours_interval_seconds == 300
    assert [r.items for r in settings.notify.rules] == [("1.01",)]
    assert settings.channels == ()


def test_it_reports_every_problem_at_once_naming_each_key() -> None:
    found = problems(
        {
            "edgar": {"user_agent": "", "requests_per_second": 25, "base_url": "ftp://x"},
            "poll": {"interval_seconds": "fast"},
            "watch": {"ciks": ["apple"], "tickers": ["$$$"]},
            "notify": {"items": ["1.1"], "channels": ["nowhere"]},
            "email": {"host": "", "sender": "nobody", "recipients": []},
            "typo": {},
        }
    )
    keys = {p.split(":", 1)[0] for p in found}
    assert {
        "edgar.user_agent",
        "edgar.requests_per_second",
        "edgar.base_url",
        "poll.interval_seconds",
        "watch.ciks",
        "watch.tickers",
        "notify.items",
        "notify.channels",
        "email.host",
        "email.sender",
        "email.recipients",
        "typo",
    } <= keys


@pytest.mark.parametrize(
    "user_agent",
    ["", "ops@acme.com", "Acme Research", "Your Company ops@your-company.example", "A b@c"],
)
def test_it_refuses_a_user_agent_without_a_name_and_an_email(user_agent: str) -> None:
    assert any(
        p.startswith("edgar.user_agent") for p in problems({"edgar": {"user_agent": user_agent}})
    )


def test_it_accepts_a_real_identity() -> None:
    settings = from_mapping({"edgar": {"user_agent": "Acme Research ops@acme.com"}}, environ={})
    assert settings.edgar.user_agent == "Acme Research ops@acme.com"


def test_it_refuses_more_than_the_secs_ten_requests_per_second() -> None:
    found = problems({"edgar": {"user_agent": USER_AGENT, "requests_per_second": 10.5}})
    assert any("requests_per_second" in p and "10" in p for p in found)
    assert from_mapping(
        {"edgar": {"user_agent": USER_AGENT, "requests_per_second": 10}}, environ={}
    )


def test_it_allows_plain_http_only_to_loopback() -> None:
    found = problems({"edgar": {"user_agent": USER_AGENT, "base_url": "http://mirror.internal"}})
    assert any("loopback" in p for p in found)
    ok = from_mapping(
        {"edgar": {"user_agent": USER_AGENT, "base_url": "http://127.0.0.1:8080/"}}, environ={}
    )
    assert ok.edgar.base_url == "http://127.0.0.1:8080"


def test_it_accepts_ciks_as_numbers_or_padded_strings() -> None:
    settings = from_mapping(
        GOOD | {"watch": {"ciks": [855654, "0000320193", "855654"], "tickers": ["aapl"]}},
        environ={},
    )
    assert settings.watch.ciks == (855654, 320193)
    assert settings.watch.tickers == ("AAPL",)


def test_it_reads_secrets_from_the_environment_and_the_credentials_directory(
    tmp_path: Path,
) -> None:
    (tmp_path / "email.password").write_text("hunter2-from-credential\n")
    settings = from_mapping(
        GOOD
        | {
            "email": {
                "host": "smtp.acme.com",
                "sender": "edgarwatch@acme.com",
                "recipients": ["bd@acme.com"],
                "username": "edgarwatch",
            }
        },
        environ={
            "EDGARWATCH_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T0/B0/SECRETPATH",
            "CREDENTIALS_DIRECTORY": str(tmp_path),
        },
    )
    slack = settings.channel("slack")
    email = settings.channel("email")
    assert isinstance(slack, SlackSettings)
    assert isinstance(email, EmailSettings)
    assert slack.webhook_url.reveal().endswith("SECRETPATH")
    assert email.password is not None
    assert email.password.reveal() == "hunter2-from-credential"
    assert "SECRETPATH" not in repr(settings)
    assert "hunter2" not in repr(settings)


def test_it_supports_named_channels_and_rules_routing_to_them() -> None:
    settings = from_mapping(
        GOOD
        | {
            "channels": {
                "deals": {"kind": "slack", "webhook_url": "https://hooks.slack.com/services/A/B/C"}
            },
            "email": {
                "host": "smtp.acme.com",
                "sender": "e@acme.com",
                "recipients": ["o@acme.com"],
            },
            "notify": {
                "items": ["1.01"],
                "channels": ["deals"],
                "rules": [{"name": "officers", "items": ["5.02"], "channels": ["email"]}],
            },
        },
        environ={},
    )
    assert [(r.name, r.items, r.channels) for r in settings.notify.rules] == [
        ("default", ("1.01",), ("deals",)),
        ("officers", ("5.02",), ("email",)),
    ]


def test_check_config_exits_78_listing_every_problem(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[edgar]\nuser_agent = "anonymous"\nrequests_per_second = 50\n[poll]\ninterval_seconds = 0\n'
    )
    result = CliRunner().invoke(main, ["--config", str(config), "check-config"])
    assert result.exit_code == EX_CONFIG
    assert "edgar.user_agent" in result.output
    assert "edgar.requests_per_second" in result.output
    assert "poll.interval_seconds" in result.output


def test_check_config_reports_broken_toml_with_its_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[edgar]\nuser_agent = "unterminated\n')
    result = CliRunner().invoke(main, ["check-config", "--config", str(config)])
    assert result.exit_code == EX_CONFIG
    assert "line 2" in result.output


def test_check_config_masks_secrets(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[edgar]\nuser_agent = "{USER_AGENT}"\n'
        '[slack]\nwebhook_url = "https://hooks.slack.com/services/T000/B000/VERYSECRETTOKEN"\n'
        '[webhook]\nurl = "https://hooks.acme.com/edgar/TOKENINPATH"\nsecret = "signing-key-123"\n'
    )
    result = CliRunner().invoke(main, ["--config", str(config), "check-config", "--show"])
    assert result.exit_code == 0, result.output
    assert "VERYSECRETTOKEN" not in result.output
    assert "TOKENINPATH" not in result.output
    assert "signing-key-123" not in result.output
    assert "https://hooks.slack.com/****" in result.output


def test_the_shipped_example_documents_every_key_and_is_valid_once_personalised(
    tmp_path: Path,
) -> None:
    example = (REPO / "config.toml").read_text()
    # Every key is preceded or followed by a comment.
    for line in example.splitlines():
        if re.match(r"^\s*[a-z_]+\s*=", line):
            assert "#" in line, f"undocumented key: {line}"
    # As shipped, the SEC identity is a placeholder and must be refused...
    with pytest.raises(ConfigError) as caught:
        load(REPO / "config.toml", environ={})
    assert all(p.startswith("edgar.user_agent") for p in caught.value.problems)
    # ...and with a real identity everything else in it is valid.
    personal = tmp_path / "config.toml"
    personal.write_text(
        re.sub(r'user_agent\s*=\s*"[^"]*"', f'user_agent = "{USER_AGENT}"', example)
    )
    (tmp_path / "watchlist.txt").write_text("855654\n")
    assert load(personal, environ={}).edgar.user_agent == USER_AGENT


def test_it_reads_credstore_style_names_so_a_shell_can_share_the_daemons_secrets(
    tmp_path: Path,
) -> None:
    (tmp_path / "edgarwatch.slack.webhook_url").write_text(
        "https://hooks.slack.com/services/T/B/CREDSTORE\n"
    )
    settings = from_mapping(GOOD, environ={"CREDENTIALS_DIRECTORY": str(tmp_path)})
    slack = settings.channel("slack")
    assert isinstance(slack, SlackSettings)
    assert slack.webhook_url.reveal().endswith("CREDSTORE")


@dataclass(frozen=True)
class PagerSettings:
    """A channel kind the code base does not have: declared and registered by this test."""

    name: str
    url: Secret = setting(url=True)
    retries: int = setting(3, minimum=0)
    kind: Literal["pager"] = "pager"


class PagerNotifier(Notifier):
    kind = "pager"
    settings_type = PagerSettings

    def send(self, report: FilingReport, delivery: Delivery) -> None:
        pass


def test_a_channel_kind_registered_in_one_module_needs_no_config_edit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(REGISTRY, "pager", PagerNotifier)
    settings = from_mapping(
        GOOD
        | {
            "channels": {"ops": {"kind": "pager", "url": "https://pager.acme.com/o", "retries": 1}},
            "notify": {"channels": ["pager", "ops"]},
        },
        environ={"EDGARWATCH_PAGER_URL": "https://pager.acme.com/PAGERSECRET"},
    )
    pager, ops = settings.channel("pager"), settings.channel("ops")
    assert isinstance(pager, PagerSettings)
    assert isinstance(ops, PagerSettings)
    assert pager.url.reveal().endswith("PAGERSECRET")
    assert (pager.retries, ops.retries) == (3, 1)
    assert isinstance(notifier_for(ops), PagerNotifier)
    found = problems(GOOD | {"pager": {"url": "http://pager.acme.com", "retries": -1, "x": 1}})
    assert {p.split(":", 1)[0] for p in found} == {"pager.url", "pager.retries", "pager.x"}


def test_check_config_warns_that_the_secs_ten_runs_at_the_ceiling(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[edgar]\nuser_agent = "{USER_AGENT}"\nrequests_per_second = 10\n')
    result = CliRunner().invoke(main, ["--config", str(config), "check-config"])
    assert result.exit_code == 0, result.output  # a warning, not a failure
    assert "warning: edgar.requests_per_second" in result.output
    assert f"runs at {EFFECTIVE_CEILING:g} requests per second" in result.output
    settings = load(config, environ={})
    assert RateLimiter(settings.edgar.requests_per_second).rate == EFFECTIVE_CEILING
    assert load_example_rate(tmp_path, 5).warnings == ()


def load_example_rate(tmp_path: Path, rate: float) -> Settings:
    config = tmp_path / "rate.toml"
    config.write_text(f'[edgar]\nuser_agent = "{USER_AGENT}"\nrequests_per_second = {rate}\n')
    return load(config, environ={})


def test_it_warns_when_a_file_holding_secrets_is_readable_by_others(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[edgar]\nuser_agent = "{USER_AGENT}"\n'
        '[slack]\nwebhook_url = "https://hooks.slack.com/services/T000/B000/VERYSECRETTOKEN"\n'
    )
    config.chmod(0o644)
    result = CliRunner().invoke(main, ["--config", str(config), "check-config"])
    assert result.exit_code == 0, result.output
    assert f"chmod 600 {config}" in result.output
    assert "slack.webhook_url" in result.output
    assert "VERYSECRETTOKEN" not in result.output
    config.chmod(0o600)
    assert load(config, environ={}).warnings == ()


def test_a_world_readable_file_without_secrets_is_fine(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[edgar]\nuser_agent = "{USER_AGENT}"\n[slack]\nwebhook_url = ""\n')
    config.chmod(0o644)
    environ = {"EDGARWATCH_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/X"}
    assert load(config, environ=environ).warnings == ()


def test_the_daemon_logs_the_warning_at_start(tmp_path: Path, edgar: tuple[Replay, str]) -> None:
    _, url = edgar
    config = write_config(
        tmp_path / "config.toml",
        url,
        tmp_path / "edgarwatch.db",
        extra='[webhook]\nurl = "http://127.0.0.1:9/hook"\nsecret = "signing-key-123"\n',
        watch="ciks = [855654]",
    )
    config.chmod(0o604)
    result = edgarwatch("--config", str(config), "check-config", "--show")
    assert "chmod 600" in result.stdout  # check-config says it on stdout, with its summary
    logged = edgarwatch("--config", str(config), "poll")  # `run` and `poll` log it
    assert re.search(
        r"WARNING .*webhook\.url, webhook\.secret: secrets in .* chmod 600", logged.stderr
    )
    assert "signing-key-123" not in logged.stderr + result.stdout
