"""`backfill --since DATE`: record historical 8-Ks, resumably."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from edgarwatch.cli.base import EX_UNHEALTHY, config_option, log_option, main
from edgarwatch.cli.opening import load_settings, open_runtime


@main.command()
@config_option
@log_option
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), required=True, help="YYYY-MM-DD")
@click.option("--cik", "ciks", type=int, multiple=True, help="Only these CIKs (repeatable).")
@click.option(
    "--notify", is_flag=True, help="Also notify what the rules match (default: record only)."
)
@click.pass_context
def backfill(
    ctx: click.Context,
    config_path: Path | None,
    log_level: str | None,
    since: Any,
    ciks: tuple[int, ...],
    notify: bool,
) -> None:
    """Record historical 8-Ks (items and text) since a date; resumable, idempotent."""
    from edgarwatch.daemon.backfill import backfill as run_backfill
    from edgarwatch.edgar.client import EdgarBlocked

    settings = load_settings(ctx, config_path, log_level or "warning")
    runtime = open_runtime(settings)
    bars: dict[str, Any] = {}

    def progress(phase: str, done: int, total: int) -> None:
        bar = bars.get(phase)
        if bar is None:
            bar = bars[phase] = click.progressbar(length=max(total, 1), label=f"{phase:<10}")
            bar.__enter__()
        bar.length = max(total, 1)
        bar.update(done - bar.pos)
        if done >= total:
            bar.__exit__(None, None, None)

    try:
        result = run_backfill(runtime, since.date(), ciks=ciks, notify=notify, progress=progress)
    except EdgarBlocked as exc:
        click.echo(f"\nedgarwatch: {exc}; re-run later: backfill resumes.", err=True)
        raise SystemExit(EX_UNHEALTHY) from None
    finally:
        runtime.close()
    click.echo(
        f"\nbackfill since {since.date()}: {len(result.recorded)} new filing(s) recorded, "
        f"{result.enriched} read, {result.failed} failed (retried by the daemon or a re-run), "
        f"{result.notifications} notification(s) queued"
    )
