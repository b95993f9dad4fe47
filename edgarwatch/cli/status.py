"""`show ACCESSION` and `status`: one filing's record, and the daemon's health."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from edgarwatch.cli.base import EX_OK, EX_UNHEALTHY, EX_USAGE, config_option, main
from edgarwatch.cli.opening import load_settings, read_only_storage

if TYPE_CHECKING:
    pass


@main.command()
@config_option
@click.argument("accession")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_context
def show(ctx: click.Context, config_path: Path | None, accession: str, as_json: bool) -> None:
    """One recorded filing in full: companies, items with their text, agreements,
    exhibits, notifications. ACCESSION with or without dashes."""
    from edgarwatch.filing import normalise_accession

    try:
        number = normalise_accession(accession)
    except ValueError as exc:
        click.echo(f"edgarwatch: {exc}", err=True)
        raise SystemExit(EX_USAGE) from None
    settings = load_settings(ctx, config_path, "warning")
    with read_only_storage(settings) as storage:
        details = storage.filings.details(number)
        if details is not None:
            details["notifications"] = storage.outbox.for_filing(number)
    if details is None:
        click.echo(
            f"edgarwatch: filing {number} is not recorded in {settings.storage.path}", err=True
        )
        raise SystemExit(EX_UNHEALTHY)
    if as_json:
        click.echo(json.dumps(details, indent=2, ensure_ascii=False))
        return
    from edgarwatch.show import render_filing

    click.echo(render_filing(details))


@main.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def status(ctx: click.Context, config_path: Path | None, as_json: bool) -> None:
    """Health at a glance; exit 0 when healthy, 1 when not (for monitoring).

    Reads the database, never writes it: no database (or one it cannot read)
    is unhealthy, and --json says why in {"healthy": false, "error": …}.
    """
    from edgarwatch.daemon.status import collect, render_text
    from edgarwatch.storage import Storage, StorageError

    settings = load_settings(ctx, config_path, "warning")
    try:
        storage = Storage.open_readonly(settings.storage.path)
        try:
            with storage.reading():
                report = collect(settings, storage)
        finally:
            storage.close()
    except StorageError as exc:
        if as_json:
            error = {"healthy": False, "database": str(settings.storage.path), "error": str(exc)}
            click.echo(json.dumps(error, indent=2, ensure_ascii=False))
        else:
            click.echo(f"edgarwatch: {exc}", err=True)
        raise SystemExit(EX_UNHEALTHY) from None
    click.echo(json.dumps(report, indent=2) if as_json else render_text(report))
    raise SystemExit(EX_OK if report["healthy"] else EX_UNHEALTHY)
