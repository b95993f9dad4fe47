"""From `pipx install` to a running daemon: `edgarwatch init`, the packaged example,
placeholders refused, the missing-config error, `--version`, the licence."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import metadata, version
from pathlib import Path

import pytest
from click.testing import CliRunner

from edgarwatch.cli import main
from edgarwatch.config import EX_CONFIG, ConfigError, from_mapping, load, placeholder
from edgarwatch.firstrun import example_text
from tests.process import Daemon, wait_until
from tests.support import REPO, USER_AGENT

WEBHOOK = "https://hooks.slack.com/services/T0AB12CD3/B0EF45GH6/realLookingSecretToken1"


def invoke(*args: str, answers: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=answers)
    return result.exit_code, result.stdout, result.stderr


# -- the example ----------------------------------------------------------------------


def test_the_repositorys_config_is_the_packaged_example() -> None:
    assert (REPO / "config.toml").read_text(encoding="utf-8") == example_text()
    assert (REPO / "edgarwatch" / "example_config.toml").read_bytes() == (
        REPO / "config.toml"
    ).read_bytes()


@pytest.mark.slow
def test_the_example_is_in_the_wheel(tmp_path: Path) -> None:
    """What `pipx install edgarwatch` gets: a wheel built as pip builds one (in isolation,
    with the build-system's setuptools)."""
    source = tmp_path / "src"  # setuptools builds in the source tree: not in the repository
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv*", "build", "*.egg-info", "__pycache__", ".*_cache"
        ),
    )
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("edgarwatch-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "edgarwatch/example_config.toml" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    wheel_metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    assert "License-Expression: MIT" in zipfile.ZipFile(wheel).read(wheel_metadata).decode()


def test_the_shipped_example_names_no_endpoint_and_passes_once_personalised() -> None:
    document = tomllib.loads(example_text())
    assert not {"slack", "email", "webhook", "channels"} & set(document)
    assert "rules" not in document["notify"]
    with pytest.raises(ConfigError) as caught:
        from_mapping(document, environ={})
    assert [p.split(":")[0] for p in caught.value.problems] == ["edgar.user_agent"]


# -- placeholders -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "key", "value"),
    [
        (
            "slack",
            "webhook_url",
            "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
        ),
        ("slack", "webhook_url", "https://hooks.slack.com/services/…"),
        ("webhook", "url", "https://hooks.example.com/edgarwatch"),
        ("webhook", "url", "https://edgar.example/hook"),
        ("email", "host", "smtp.example.com"),
        ("email", "sender", "edgarwatch@example.org"),
        ("email", "recipients", ["bd@acme.com", "bd-team@example.net"]),
    ],
)
def test_check_config_refuses_example_endpoints_naming_the_key(
    tmp_path: Path, table: str, key: str, value: str | list[str]
) -> None:
    body = {"host": "smtp.acme.com", "sender": "e@acme.com", "recipients": ["o@acme.com"]}
    channel: dict[str, object] = {} if table != "email" else dict(body)
    channel[key] = value
    config = tmp_path / "config.toml"
    config.write_text(
        f'[edgar]\nuser_agent = "{USER_AGENT}"\n[{table}]\n'
        + "".join(f"{k} = {json.dumps(v)}\n" for k, v in channel.items())
    )
    code, _, err = invoke("--config", str(config), "check-config")
    assert code == EX_CONFIG
    assert f"{table}.{key}: " in err
    assert "not a real endpoint" in err
    assert "XXXXXXXX" not in err  # a secret is shown masked, even a placeholder one


def test_real_endpoints_and_loopback_pass() -> None:
    for value in (
        WEBHOOK,
        "https://hooks.acme.com/edgarwatch",
        "smtp.acme.com",
        "ops@acme.com",
        "127.0.0.1",
        "http://127.0.0.1:8080/hook",
        "http://127.0.0.1:8080/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
    ):
        assert placeholder(value) is None, value


def test_a_named_channel_with_a_placeholder_is_refused_too() -> None:
    with pytest.raises(ConfigError) as caught:
        from_mapping(
            {
                "edgar": {"user_agent": USER_AGENT},
                "channels": {
                    "deals": {"kind": "slack", "webhook_url": "https://hooks.slack.com/services/…"}
                },
            },
            environ={},
        )
    assert [p.split(":")[0] for p in caught.value.problems] == ["channels.deals.webhook_url"]


# -- the missing configuration ---------------------------------------------------------------


def test_a_missing_configuration_points_to_init(tmp_path: Path) -> None:
    missing = tmp_path / "etc" / "edgarwatch.toml"
    code, _, err = invoke("--config", str(missing), "run")
    assert code == EX_CONFIG
    assert f"no configuration file at {missing}" in err
    assert f"edgarwatch init --config {missing}" in err


# -- init --------------------------------------------------------------------------------------


def test_init_non_interactive_writes_a_valid_commented_config(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    code, out, err = invoke(
        "init",
        "--path",
        str(config),
        "--user-agent",
        "Acme Research ops@acme.com",
        "--ticker",
        "imgn",
        "--ticker",
        "AAPL",
        "--cik",
        "1001",
        "--non-interactive",
    )
    assert code == 0, err
    settings = load(config, environ={})
    assert settings.edgar.user_agent == "Acme Research ops@acme.com"
    assert settings.watch.tickers == ("IMGN", "AAPL")
    assert settings.watch.ciks == (1001,)
    assert settings.channels == ()
    text = config.read_text()
    assert text.count("#") == example_text().count("#")  # every comment kept
    assert stat.S_IMODE(config.stat().st_mode) & 0o077 != 0o077  # no secret: normal mode
    assert f"edgarwatch --config {config} check-config" in out
    assert f"edgarwatch --config {config} run" in out
    assert "test-notify" not in out  # no channel to test


def test_init_asks_for_what_is_missing_and_validates_the_answers(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    answers = "\n".join(["anonymous", "Acme Research ops@acme.com", "IMGN 855654", WEBHOOK, ""])
    code, out, err = invoke("--config", str(config), "init", "--interactive", answers=answers)
    assert code == 0, err + out
    assert "no contact email" in out  # the first answer was refused, and asked again
    settings = load(config, environ={})
    assert settings.edgar.user_agent == "Acme Research ops@acme.com"
    assert settings.watch.tickers == ("IMGN",)
    assert settings.watch.ciks == (855654,)
    assert [c.name for c in settings.channels] == ["slack"]
    assert stat.S_IMODE(config.stat().st_mode) == 0o600  # it holds the webhook
    assert WEBHOOK not in out
    assert "edgarwatch --config" in out
    assert "test-notify" in out


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("# mine\n")
    code, _, err = invoke(
        "init", "--path", str(config), "--user-agent", USER_AGENT, "--non-interactive"
    )
    assert code == 1
    assert "exists; use --force" in err
    assert config.read_text() == "# mine\n"
    code, _, err = invoke(
        "init", "--path", str(config), "--user-agent", USER_AGENT, "--non-interactive", "--force"
    )
    assert code == 0, err
    assert load(config, environ={}).edgar.user_agent == USER_AGENT


def test_init_without_an_identity_or_with_a_bad_answer_writes_nothing(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    code, _, err = invoke("init", "--path", str(config), "--non-interactive")
    assert code == 2
    assert "--user-agent" in err
    code, _, err = invoke(
        "init",
        "--path",
        str(config),
        "--user-agent",
        USER_AGENT,
        "--ticker",
        "$$$",
        "--slack-webhook",
        "https://hooks.slack.com/services/…",
        "--non-interactive",
    )
    assert code == EX_CONFIG
    assert "watch.tickers" in err
    assert "slack.webhook_url" in err
    assert not config.exists()


@pytest.mark.slow
def test_from_init_to_a_running_daemon(tmp_path: Path, edgar: tuple[object, str]) -> None:
    """The README's pipx path: init, check-config, run — no placeholder edited by hand."""
    _, url = edgar
    config = tmp_path / "config.toml"
    code, _, err = invoke(
        "init",
        "--path",
        str(config),
        "--user-agent",
        USER_AGENT,
        "--cik",
        "855654",
        "--non-interactive",
    )
    assert code == 0, err
    # Point it at the loopback replay instead of sec.gov (the one edit a test must make).
    text = (
        config.read_text().replace("https://www.sec.gov", url).replace("https://data.sec.gov", url)
    )
    config.write_text(text.replace('path = "edgarwatch.db"', f'path = "{tmp_path / "ew.db"}"'))
    checked = subprocess.run(
        [sys.executable, "-m", "edgarwatch", "--config", str(config), "check-config"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    with Daemon(config, tmp_path / "daemon.log") as daemon:
        wait_until(
            lambda: (tmp_path / "ew.db").exists() and "poll ok" in daemon.output(),
            why="a first poll",
        )
        code, _ = daemon.terminate()
    assert code == 0
    assert "ERROR" not in daemon.output()


# -- version and licence -------------------------------------------------------------------------


def test_version_prints_the_package_version() -> None:
    code, out, _ = invoke("--version")
    assert code == 0
    assert out == f"edgarwatch {version('edgarwatch')}\n"


def test_the_licence_is_mit_as_a_pep_639_expression() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    assert (REPO / "LICENSE").read_text().startswith("MIT License")
    assert metadata("edgarwatch")["License-Expression"] in ("MIT", None)  # None: an old build
