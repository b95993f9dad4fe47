"""The root `edgarwatch` group, the options every command shares, and exit statuses."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

EX_OK = 0
EX_UNHEALTHY = 1
EX_USAGE = 2
EX_TEMPFAIL = 75
"""sysexits.h: a temporary failure (EDGAR unreachable); trying again later may work."""


def config_option(func: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="The configuration file (default: ./config.toml).",
    )(func)


def log_option(func: F) -> F:
    return click.option(
        "--log-level",
        type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
        default=None,
        help="Override log.level from the configuration.",
    )(func)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@config_option
@log_option
@click.version_option(
    package_name="edgarwatch", prog_name="edgarwatch", message="%(prog)s %(version)s"
)
@click.pass_context
def main(ctx: click.Context, config_path: Path | None, log_level: str | None) -> None:
    """Watch SEC EDGAR for 8-K filings of the companies you care about, record them,
    and notify people (Slack, email, webhook) when one reports an item your rules name."""
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path
    ctx.obj["log_level"] = log_level


def config_flag(path: Path) -> str:
    """` --config PATH` when `path` is not the default ./config.toml."""
    return "" if path == Path("config.toml") else f" --config {path}"
