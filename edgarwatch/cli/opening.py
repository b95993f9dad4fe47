"""What commands open before they work: the settings (or exit 78), the database, the runtime."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from edgarwatch.cli.base import EX_UNHEALTHY, EX_USAGE, config_flag

if TYPE_CHECKING:
    from edgarwatch.config import Settings
    from edgarwatch.daemon.runtime import Runtime
    from edgarwatch.storage import Storage


def load_settings(
    ctx: click.Context, config_path: Path | None, log_level: str | None, *, warn: bool = False
) -> Settings:
    """Load the configuration or exit 78 listing every problem; `warn`: log its warnings
    (the daemon and `poll` do; check-config prints them; other commands keep quiet)."""
    import logging

    from edgarwatch import logs
    from edgarwatch.config import EX_CONFIG, ConfigError, load

    path = config_path or ctx.obj.get("config_path") or Path("config.toml")
    if not path.exists():
        click.echo(
            f"edgarwatch: no configuration file at {path.absolute()}: create one with "
            f"`edgarwatch init{config_flag(path)}`, or name yours with --config PATH",
            err=True,
        )
        raise SystemExit(EX_CONFIG)
    try:
        settings = load(path)
    except ConfigError as exc:
        click.echo(f"edgarwatch: invalid configuration {path}:", err=True)
        for problem in exc.problems:
            click.echo(f"  - {problem}", err=True)
        raise SystemExit(EX_CONFIG) from None
    level = log_level or ctx.obj.get("log_level") or settings.log_level
    logs.configure(level, log_format=settings.log_format)
    for warning in settings.warnings if warn else ():
        logging.getLogger("edgarwatch.config").warning("%s: %s", path, warning)
    return settings


def open_storage(settings: Settings) -> Storage:
    from edgarwatch.storage import Storage, StorageError

    try:
        return Storage.open(settings.storage.path)
    except StorageError as exc:
        click.echo(f"edgarwatch: {exc}", err=True)
        raise SystemExit(1) from None


@contextmanager
def read_only_storage(settings: Settings) -> Iterator[Storage]:
    """The database opened read-only (never created, migrated or written), for the
    commands that only read; a missing or unreadable one: the reason, exit 1."""
    from edgarwatch.storage import Storage, StorageError

    try:
        storage = Storage.open_readonly(settings.storage.path)
    except StorageError as exc:
        click.echo(f"edgarwatch: {exc}", err=True)
        raise SystemExit(EX_UNHEALTHY) from None
    try:
        with storage.reading():
            yield storage
    except StorageError as exc:
        click.echo(f"edgarwatch: {exc}", err=True)
        raise SystemExit(EX_UNHEALTHY) from None
    finally:
        storage.close()


def ciks_wanted(
    storage: Storage, ciks: tuple[int, ...], tickers: tuple[str, ...]
) -> list[int] | None:
    """`--cik`/`--ticker` as CIKs (None: no filter); an unknown ticker exits 2."""
    if not ciks and not tickers:
        return None
    wanted = list(ciks)
    for ticker in tickers:
        found = storage.state.ciks_for_ticker(ticker.strip().upper())
        if not found:
            click.echo(
                f"edgarwatch: unknown ticker {ticker.upper()!r}: not among the tickers the daemon "
                "keeps from company_tickers.json (use --cik)",
                err=True,
            )
            raise SystemExit(EX_USAGE)
        wanted += found
    return list(dict.fromkeys(wanted))


def open_runtime(settings: Settings) -> Runtime:
    from edgarwatch.daemon.runtime import build_runtime

    return build_runtime(settings, storage=open_storage(settings))
