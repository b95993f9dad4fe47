"""`edgarwatch init`: write a first configuration from flags or questions."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from edgarwatch.cli.base import EX_UNHEALTHY, EX_USAGE, config_flag, main

if TYPE_CHECKING:
    from edgarwatch.firstrun import Answers


@main.command()
@click.option(
    "--path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Where to write it (default: --config, else ./config.toml).",
)
@click.option("--user-agent", help='Who you are, for the SEC: "Name email@domain".')
@click.option("--ticker", "tickers", multiple=True, help="A ticker to watch (repeatable).")
@click.option("--cik", "ciks", type=int, multiple=True, help="A CIK to watch (repeatable).")
@click.option("--slack-webhook", help="A Slack incoming webhook URL (the file is then 0600).")
@click.option(
    "--interactive/--non-interactive",
    default=None,
    help="Ask for what is missing (default: when standard input is a terminal).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.pass_context
def init(
    ctx: click.Context,
    path: Path | None,
    user_agent: str | None,
    tickers: tuple[str, ...],
    ciks: tuple[int, ...],
    slack_webhook: str | None,
    interactive: bool | None,
    force: bool,
) -> None:
    """Write a first configuration: the documented example with your details in it.

    Asks (or takes as options) who you are for the SEC, which companies to
    watch and, optionally, a Slack webhook; validates the result as
    check-config does; then prints the commands that come next.
    """
    from edgarwatch.config import EX_CONFIG, ConfigError, from_mapping
    from edgarwatch.firstrun import example_text, personalise, write_new

    target = path or ctx.obj.get("config_path") or Path("config.toml")
    if target.exists() and not force:
        click.echo(f"edgarwatch: {target} exists; use --force to overwrite it", err=True)
        raise SystemExit(EX_UNHEALTHY)
    if interactive is None:
        interactive = sys.stdin.isatty()
    answers = _init_answers(user_agent, tickers, ciks, slack_webhook, interactive=interactive)
    text = personalise(example_text(), answers)
    try:
        settings = from_mapping(_toml(text), path=target)
    except ConfigError as exc:
        click.echo(
            f"edgarwatch: the configuration would not be valid; {target} not written:", err=True
        )
        for problem in exc.problems:
            click.echo(f"  - {problem}", err=True)
        raise SystemExit(EX_CONFIG) from None
    write_new(target, text, secret=answers.holds_secret, force=force)
    mode = " (mode 0600: it holds a secret)" if answers.holds_secret else ""
    channels = ", ".join(c.name for c in settings.channels) or "none yet (filings are recorded)"
    flag = config_flag(target)
    click.echo(f"Wrote {target}{mode}. Channels: {channels}.")
    click.echo("Next:")
    click.echo(f"  edgarwatch{flag} check-config")
    if settings.channels:
        click.echo(f"  edgarwatch{flag} test-notify")
    click.echo(f"  edgarwatch{flag} run")


def _init_answers(
    user_agent: str | None,
    tickers: tuple[str, ...],
    ciks: tuple[int, ...],
    slack_webhook: str | None,
    *,
    interactive: bool,
) -> Answers:
    """The answers from the options, asking at a terminal for what they leave out."""
    from edgarwatch.daemon.watchlist import split_entries
    from edgarwatch.firstrun import Answers

    if user_agent is None and not interactive:
        click.echo(
            'edgarwatch: --user-agent "Your Name you@your-company.com" is required: the SEC '
            "requires every request to name you and give a contact email",
            err=True,
        )
        raise SystemExit(EX_USAGE)
    if user_agent is None:
        user_agent = click.prompt(
            'Who you are, for the SEC: a name and a contact email (e.g. "Acme Research '
            'ops@acme.com")',
            value_proc=_user_agent_answer,
        )
    watched: tuple[tuple[int, ...], tuple[str, ...]] | None = None
    if tickers or ciks:
        watched = (ciks, tickers)
    elif interactive:
        entries = click.prompt(
            "Companies to watch: tickers or CIKs, separated by spaces", default="AAPL"
        )
        found_ciks, found_tickers = split_entries(entries.replace(",", " ").split())
        watched = (tuple(found_ciks), tuple(found_tickers))
    if slack_webhook is None and interactive:
        slack_webhook = (
            click.prompt(
                "Slack incoming webhook URL (Enter to skip; or set EDGARWATCH_SLACK_WEBHOOK_URL later)",
                default="",
                show_default=False,
                hide_input=True,
            ).strip()
            or None
        )
    return Answers(
        user_agent=str(user_agent).strip(),
        ciks=watched[0] if watched else None,
        tickers=tuple(t.upper() for t in watched[1]) if watched else None,
        slack_webhook=slack_webhook,
    )


def _user_agent_answer(value: str) -> str:
    from edgarwatch.edgar.settings import user_agent

    try:
        return user_agent(value.strip())
    except ValueError as exc:
        raise click.UsageError("; ".join(str(a) for a in exc.args)) from None


def _toml(text: str) -> dict[str, Any]:
    import tomllib

    return tomllib.loads(text)
