"""`watch add|remove|list`: the watchlist file the daemon reloads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from edgarwatch.cli.base import EX_TEMPFAIL, EX_USAGE, config_option, main
from edgarwatch.cli.opening import load_settings, open_runtime

if TYPE_CHECKING:
    from edgarwatch.config import Settings
    from edgarwatch.daemon.runtime import Runtime


@main.group()
def watch() -> None:
    """Manage the watchlist file (watch.file); the daemon picks changes up by itself."""


@watch.command("add")
@config_option
@click.argument("entries", nargs=-1, required=True)
@click.option(
    "--unchecked",
    is_flag=True,
    help="When EDGAR cannot be reached, add the entries anyway; the daemon checks them later.",
)
@click.pass_context
def watch_add(
    ctx: click.Context, config_path: Path | None, entries: tuple[str, ...], unchecked: bool
) -> None:
    """Watch companies by ticker or CIK: `edgarwatch watch add AAPL 855654`.

    Each is checked against EDGAR first: an unknown one is refused (exit 2),
    with suggestions. When EDGAR cannot be reached nothing is added (exit 75,
    try again), unless --unchecked.
    """
    from edgarwatch.daemon import watchfile
    from edgarwatch.daemon.watchfile import CannotCheck, UnknownCompany, add_to_watch_file

    settings = load_settings(ctx, config_path, "warning")
    path = _watch_file(settings)
    runtime = open_runtime(settings)
    try:
        listed = runtime.watch_source.ticker_list(fetch=True)
        resolved, problems, uncheckable = [], [], []
        for entry in entries:
            try:
                resolved.append(
                    watchfile.resolve(
                        entry,
                        listed.tickers,
                        lambda cik: _company_name(runtime, cik),
                        checked=listed.checked,
                        error=listed.error,
                    )
                )
            except UnknownCompany as exc:
                problems.append(str(exc))
            except CannotCheck as exc:
                uncheckable.append((entry, str(exc)))
        for problem in problems:
            click.echo(f"edgarwatch: {problem}", err=True)
        if problems:
            raise SystemExit(EX_USAGE)
        for entry, reason in uncheckable:
            if unchecked:
                click.echo(f"warning: {reason}; added unchecked", err=True)
                resolved.append(watchfile.unchecked(entry))
            else:
                click.echo(f"edgarwatch: {reason}; not added (or use --unchecked)", err=True)
        if uncheckable and not unchecked:
            raise SystemExit(EX_TEMPFAIL)
        added = add_to_watch_file(path, resolved, set(runtime.watchlist.ciks))
    finally:
        runtime.close()
    for company in resolved:
        verb = "added" if company in added else "already watched"
        where = f"(CIK {company.cik})" if company.cik else "(unchecked)"
        click.echo(f"{verb}: {company.ticker or '-'} {company.name or ''} {where}")
    if added:
        click.echo(f"{path} updated; a running daemon picks it up at its next poll.")


def _company_name(runtime: Runtime, cik: int) -> str | None:
    from edgarwatch.daemon.watchfile import CannotCheck
    from edgarwatch.edgar import sources
    from edgarwatch.edgar.client import EdgarError

    try:
        found = sources.company(runtime.client, cik)
    except EdgarError as exc:
        raise CannotCheck(f"could not check CIK {cik}: EDGAR unreachable ({exc})") from None
    return None if found is None else found.name or f"CIK {cik}"


@watch.command("remove")
@config_option
@click.argument("entries", nargs=-1, required=True)
@click.pass_context
def watch_remove(ctx: click.Context, config_path: Path | None, entries: tuple[str, ...]) -> None:
    """Stop watching companies (by ticker or CIK) listed in the watch file."""
    from edgarwatch.daemon.watchfile import remove_from_watch_file
    from edgarwatch.daemon.watchlist import split_entries
    from edgarwatch.storage import Storage, StorageError

    settings = load_settings(ctx, config_path, "warning")
    path = _watch_file(settings)
    try:
        storage = Storage.open_readonly(settings.storage.path)
        try:
            with storage.reading():
                tickers = storage.state.tickers()
        finally:
            storage.close()
    except StorageError:
        tickers = []  # no database yet: the file's CIKs and tickers are removed as written
    by_ticker = {t.ticker: t.cik for t in tickers}
    ciks, symbols = split_entries(entries)
    wanted = set(ciks) | {by_ticker[s] for s in symbols if s in by_ticker}
    removed = remove_from_watch_file(path, wanted, tickers)
    in_config = wanted & (
        set(settings.watch.ciks) | {by_ticker.get(t) for t in settings.watch.tickers}
    )
    if in_config:
        click.echo(
            f"note: {', '.join(map(str, sorted(c for c in in_config if c)))} also listed in "
            f"{settings.path} (watch.ciks / watch.tickers): edit it there too.",
            err=True,
        )
    if not removed:
        click.echo(f"edgarwatch: none of {', '.join(entries)} is in {path}", err=True)
        raise SystemExit(EX_USAGE)
    click.echo(
        f"removed: {', '.join(removed)}; a running daemon stops watching them at its next poll."
    )


@watch.command("list")
@config_option
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def watch_list(ctx: click.Context, config_path: Path | None, as_json: bool) -> None:
    """The resolved watchlist: CIK, ticker and name (from company_tickers.json)."""
    settings = load_settings(ctx, config_path, "warning")
    runtime = open_runtime(settings)
    try:
        watchlist = runtime.watchlist
    finally:
        runtime.close()
    if watchlist.everyone:
        click.echo("Watching every company (watch.all = true).")
        return
    rows = [
        {"cik": cik, "ticker": watchlist.names[cik][0], "name": watchlist.names[cik][1]}
        for cik in sorted(watchlist.ciks)
    ]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "companies": rows,
                    "unresolved": list(watchlist.unresolved),
                    "pending": list(watchlist.pending),
                },
                indent=2,
            )
        )
        return
    click.echo(f"{'CIK':>10}  {'TICKER':<8} NAME")
    for row in rows:
        click.echo(f"{row['cik']:>10}  {row['ticker'] or '-':<8} {row['name'] or '(name unknown)'}")
    for ticker in watchlist.unresolved:
        click.echo(f"{'?':>10}  {ticker:<8} (unknown ticker: not watched)")
    for ticker in watchlist.pending:
        click.echo(f"{'?':>10}  {ticker:<8} (not checked yet: EDGAR could not be reached)")


def _watch_file(settings: Settings) -> Path:
    if settings.watch.file is None:
        click.echo(
            "edgarwatch: set watch.file in the configuration (a file of tickers/CIKs, one per "
            "line) to manage the watchlist from the command line",
            err=True,
        )
        raise SystemExit(EX_USAGE)
    return settings.watch.file
