"""`filings` and `search`: what the daemon recorded, listed or searched."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import click

from edgarwatch.cli.base import EX_USAGE, config_option, main
from edgarwatch.cli.opening import ciks_wanted, load_settings, read_only_storage


@main.command()
@config_option
@click.option(
    "--cik", "ciks", type=int, multiple=True, help="Only filings naming this CIK (any role)."
)
@click.option(
    "--ticker", "tickers", multiple=True, help="Only filings naming this ticker's company."
)
@click.option("--item", help="Only filings reporting this item (e.g. 1.01).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Filed on or after YYYY-MM-DD.")
@click.option("--limit", type=int, default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def filings(
    ctx: click.Context,
    config_path: Path | None,
    ciks: tuple[int, ...],
    tickers: tuple[str, ...],
    item: str | None,
    since: Any,
    limit: int,
    as_json: bool,
) -> None:
    """List recorded filings, newest first (reads the database, never writes it)."""
    settings = load_settings(ctx, config_path, "warning")
    with read_only_storage(settings) as storage:
        rows = storage.filings.listing(
            ciks=ciks_wanted(storage, ciks, tickers),
            item=item,
            since=since.date() if since else None,
            limit=limit,
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    _print_filings(rows)


def _print_filings(rows: list[dict[str, Any]]) -> None:
    from edgarwatch.filing import EASTERN

    if not rows:
        click.echo("No filings recorded (yet).")
        return
    click.echo(
        f"{'ACCEPTED (ET)':<19}  {'FORM':<6} {'CIK':>10}  {'COMPANY':<34} {'ITEMS':<22} ACCESSION"
    )
    for row in rows:
        accepted = row["accepted_at"]
        when = (
            _parse_time(accepted).astimezone(EASTERN).strftime("%Y-%m-%d %H:%M:%S")
            if accepted
            else (row["filed"] or "")
        )
        click.echo(
            f"{when:<19}  {row['form']:<6} {row['cik']:>10}  {row['company'][:34]:<34} "
            f"{','.join(row['items'])[:22]:<22} {row['accession']}"
        )


def _parse_time(value: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(value)


@main.command()
@config_option
@click.argument("query")
@click.option("--item", help="Only this item (e.g. 1.01).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Filed on or after YYYY-MM-DD.")
@click.option(
    "--cik", "ciks", type=int, multiple=True, help="Only filings naming this CIK (any role)."
)
@click.option(
    "--ticker", "tickers", multiple=True, help="Only filings naming this ticker's company."
)
@click.option("--limit", type=int, default=20, show_default=True)
@click.option(
    "--raw", is_flag=True, help='Pass QUERY to SQLite FTS5 as is (AND, OR, NEAR, "phrases").'
)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def search(
    ctx: click.Context,
    config_path: Path | None,
    query: str,
    item: str | None,
    since: Any,
    ciks: tuple[int, ...],
    tickers: tuple[str, ...],
    limit: int,
    raw: bool,
    as_json: bool,
) -> None:
    """Full-text search over item texts, best matches first.

    Every word must appear; words match their other forms ("royalty" finds
    "royalties"); `licens*` is a prefix; "a phrase" in double quotes stays
    together. --raw passes QUERY to SQLite FTS5 as it is (OR, NOT, NEAR).
    """
    from edgarwatch.storage import SearchSyntaxError

    settings = load_settings(ctx, config_path, "warning")
    with read_only_storage(settings) as storage:
        fts_query = query if raw else storage.filings.quote_search(query)
        if not fts_query:
            click.echo("edgarwatch: nothing to search for", err=True)
            raise SystemExit(EX_USAGE)
        try:
            rows = storage.filings.search(
                fts_query,
                item=item,
                since=since.date() if since else None,
                limit=limit,
                ciks=ciks_wanted(storage, ciks, tickers),
            )
        except SearchSyntaxError as exc:
            click.echo(f"edgarwatch: {exc}", err=True)
            raise SystemExit(EX_USAGE) from None
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("No matches.")
    for row in rows:
        snippet = re.sub(
            r"\[([^\]]*)\]", lambda m: click.style(m.group(1), bold=True), row["snippet"]
        )
        click.echo(
            click.style(f"{row['company']}", bold=True)
            + f" — {row['form']} filed {row['filed']} — Item {row['number']}: {row['title']}"
        )
        click.echo(f"  {snippet}")
        click.echo(f"  {row['url']}  ({row['accession']})\n")
