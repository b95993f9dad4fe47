"""`run`, `poll`, `check-config` and `test-notify`: start the daemon and check it is set up right."""

from __future__ import annotations

import json
from pathlib import Path

import click

from edgarwatch.cli.base import EX_OK, EX_UNHEALTHY, EX_USAGE, config_option, log_option, main
from edgarwatch.cli.opening import load_settings, open_runtime


@main.command()
@config_option
@log_option
@click.pass_context
def run(ctx: click.Context, config_path: Path | None, log_level: str | None) -> None:
    """Run the daemon in the foreground (SIGTERM/SIGINT: finish the step, exit 0)."""
    from edgarwatch.daemon.service import run_daemon
    from edgarwatch.storage import StorageError

    settings = load_settings(ctx, config_path, log_level, warn=True)
    try:
        code = run_daemon(settings)
    except StorageError as exc:
        click.echo(f"edgarwatch: {exc}", err=True)
        code = 1
    raise SystemExit(code)


@main.command()
@config_option
@log_option
@click.pass_context
def poll(ctx: click.Context, config_path: Path | None, log_level: str | None) -> None:
    """One poll cycle (catch-up too when due) and one dispatch, then exit (0 = ok)."""
    from edgarwatch.daemon.cycles import Cycles

    settings = load_settings(ctx, config_path, log_level, warn=True)
    runtime = open_runtime(settings)
    try:
        ok = Cycles(runtime).once()
    finally:
        runtime.close()
    raise SystemExit(EX_OK if ok else EX_UNHEALTHY)


@main.command("check-config")
@config_option
@click.option("--show", is_flag=True, help="Print the effective settings (secrets masked).")
@click.pass_context
def check_config(ctx: click.Context, config_path: Path | None, show: bool) -> None:
    """Validate the configuration and exit (0 valid, 78 invalid)."""
    from edgarwatch.config import describe

    settings = load_settings(ctx, config_path, "warning")
    if show:
        click.echo(json.dumps(describe(settings), indent=2))
    channels = ", ".join(f"{c.name} ({c.kind})" for c in settings.channels) or "none"
    watch = (
        "every company"
        if settings.watch.all
        else (
            f"{len(settings.watch.ciks)} CIK(s), {len(settings.watch.tickers)} ticker(s)"
            + (f", file {settings.watch.file}" if settings.watch.file else "")
        )
    )
    click.echo(f"{settings.path}: valid. Watching {watch}; channels: {channels}.")
    for warning in settings.warnings:
        click.echo(f"  warning: {warning}")


@main.command("test-notify")
@config_option
@click.option("--channel", "channel_name", help="Only this channel (default: every channel).")
@click.pass_context
def test_notify(ctx: click.Context, config_path: Path | None, channel_name: str | None) -> None:
    """Send a sample notification (the seed filing) through each channel."""
    from edgarwatch.notifiers import NotifierError, notifier_for
    from edgarwatch.notifiers.sample import sample_delivery, sample_report

    settings = load_settings(ctx, config_path, "warning")
    channels = [c for c in settings.channels if channel_name in (None, c.name)]
    if not channels:
        known = ", ".join(c.name for c in settings.channels) or "none configured"
        click.echo(f"edgarwatch: no channel {channel_name or ''} (channels: {known})", err=True)
        raise SystemExit(EX_USAGE)
    failed = 0
    for channel in channels:
        notifier = notifier_for(channel)
        try:
            notifier.send(sample_report(), sample_delivery(channel.name))
            click.echo(f"{channel.name}: sent")
        except NotifierError as exc:
            failed += 1
            kind = "permanent" if exc.permanent else "will retry"
            kind += ", needs attention" if exc.alert else ""
            click.echo(f"{channel.name}: FAILED ({kind}): {exc.message}")
        finally:
            notifier.close()
    raise SystemExit(EX_UNHEALTHY if failed else EX_OK)
