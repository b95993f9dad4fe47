"""The `edgarwatch` command.

Command names and `--config PATH` (default `./config.toml`, accepted before
or after the command) are a contract: see DESIGN.md. Each command is thin:
it loads the configuration, calls one part of the package, and prints.
Heavy imports happen inside commands, so `edgarwatch parse` starts fast.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

import click

if TYPE_CHECKING:
    from edgarwatch.config import Settings
    from edgarwatch.daemon.runtime import Runtime
    from edgarwatch.firstrun import Answers
    from edgarwatch.storage import Storage

F = TypeVar("F", bound=Callable[..., Any])

EX_OK = 0
EX_UNHEALTHY = 1
EX_USAGE = 2
EX_TEMPFAIL = 75
"""sysexits.h: a temporary failure (EDGAR unreachable); trying again later may work."""


def _config_option(func: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="The configuration file (default: ./config.toml).",
    )(func)


def _log_option(func: F) -> F:
    return click.option(
        "--log-level",
        type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
        default=None,
        help="Override log.level from the configuration.",
    )(func)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@_config_option
@_log_option
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


def _settings(
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
            f"`edgarwatch init{_config_flag(path)}`, or name yours with --config PATH",
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


def _config_flag(path: Path) -> str:
    """` --config PATH` when `path` is not the default ./config.toml."""
    return "" if path == Path("config.toml") else f" --config {path}"


def _open_storage(settings: Settings) -> Storage:
    from edgarwatch.storage import Storage, StorageError

    try:
        return Storage.open(settings.storage.path)
    except StorageError as exc:
        click.echo(f"edgarwatch: {exc}", err=True)
        raise SystemExit(1) from None


@contextmanager
def _reading(settings: Settings) -> Iterator[Storage]:
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


def _companies(
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


def _runtime(settings: Settings) -> Runtime:
    from edgarwatch.daemon.runtime import build_runtime

    return build_runtime(settings, storage=_open_storage(settings))


# -- first run ------------------------------------------------------------------------


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
    flag = _config_flag(target)
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


# -- the daemon ---------------------------------------------------------------------


@main.command()
@_config_option
@_log_option
@click.pass_context
def run(ctx: click.Context, config_path: Path | None, log_level: str | None) -> None:
    """Run the daemon in the foreground (SIGTERM/SIGINT: finish the step, exit 0)."""
    from edgarwatch.daemon.service import run_daemon
    from edgarwatch.storage import StorageError

    settings = _settings(ctx, config_path, log_level, warn=True)
    try:
        code = run_daemon(settings)
    except StorageError as exc:
        click.echo(f"edgarwatch: {exc}", err=True)
        code = 1
    raise SystemExit(code)


@main.command()
@_config_option
@_log_option
@click.pass_context
def poll(ctx: click.Context, config_path: Path | None, log_level: str | None) -> None:
    """One poll cycle (catch-up too when due) and one dispatch, then exit (0 = ok)."""
    from edgarwatch.daemon.cycles import Cycles

    settings = _settings(ctx, config_path, log_level, warn=True)
    runtime = _runtime(settings)
    try:
        ok = Cycles(runtime).once()
    finally:
        runtime.close()
    raise SystemExit(EX_OK if ok else EX_UNHEALTHY)


@main.command("check-config")
@_config_option
@click.option("--show", is_flag=True, help="Print the effective settings (secrets masked).")
@click.pass_context
def check_config(ctx: click.Context, config_path: Path | None, show: bool) -> None:
    """Validate the configuration and exit (0 valid, 78 invalid)."""
    from edgarwatch.config import describe

    settings = _settings(ctx, config_path, "warning")
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


# -- reading what was recorded ------------------------------------------------------------


@main.command()
@_config_option
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
    settings = _settings(ctx, config_path, "warning")
    with _reading(settings) as storage:
        rows = storage.filings.listing(
            ciks=_companies(storage, ciks, tickers),
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
@_config_option
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

    settings = _settings(ctx, config_path, "warning")
    with _reading(settings) as storage:
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
                ciks=_companies(storage, ciks, tickers),
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


@main.command()
@_config_option
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
    settings = _settings(ctx, config_path, "warning")
    with _reading(settings) as storage:
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


# -- operations ---------------------------------------------------------------------------


@main.command()
@_config_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def status(ctx: click.Context, config_path: Path | None, as_json: bool) -> None:
    """Health at a glance; exit 0 when healthy, 1 when not (for monitoring).

    Reads the database, never writes it: no database (or one it cannot read)
    is unhealthy, and --json says why in {"healthy": false, "error": …}.
    """
    from edgarwatch.daemon.status import collect, render_text
    from edgarwatch.storage import Storage, StorageError

    settings = _settings(ctx, config_path, "warning")
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


@main.group(invoke_without_command=True)
@_config_option
@click.option(
    "--status",
    type=click.Choice(["pending", "sent", "dead", "dismissed"]),
    help="Only notifications in this state.",
)
@click.option("--channel", "channel_name", help="Only this channel.")
@click.option("--limit", type=int, default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def notifications(
    ctx: click.Context,
    config_path: Path | None,
    status: str | None,
    channel_name: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """List notifications, newest first; `retry` and `dismiss` act on dead ones.

    The listing only reads the database (it never creates one). ID is the start
    of the delivery id; any unique prefix names a notification.
    """
    if config_path is not None:
        ctx.obj["config_path"] = config_path
    if ctx.invoked_subcommand is not None:
        return
    from edgarwatch.storage import StorageError
    from edgarwatch.storage.outbox import list_notifications
    from edgarwatch.storage.readonly import open_read_only

    settings = _settings(ctx, config_path, "warning")
    try:
        db = open_read_only(settings.storage.path)
    except StorageError as exc:
        click.echo(f"edgarwatch: {exc}", err=True)
        raise SystemExit(EX_UNHEALTHY) from None
    try:
        rows = list_notifications(db, status=status, channel=channel_name, limit=limit)
    finally:
        db.close()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    _print_notifications(rows)


def _print_notifications(rows: list[dict[str, Any]]) -> None:
    if not rows:
        click.echo("No notifications.")
        return
    click.echo(
        f"{'ID':<8}  {'CREATED (UTC)':<16}  {'STATUS':<9} {'TRIES':>5}  {'CHANNEL':<12} "
        f"{'RULE':<10} {'ACCESSION':<20}  COMPANY"
    )
    for row in rows:
        created = (row["created_at"] or "")[:16].replace("T", " ")
        click.echo(
            f"{row['id']:<8}  {created:<16}  {row['status']:<9} {row['attempts'] or 0:>5}  "
            f"{row['channel'][:12]:<12} {row['rule'][:10]:<10} {row['accession']:<20}  "
            f"{(row['company'] or '?')[:40]}"
        )
        if row["recipients_pending"]:
            click.echo(f"{'':10}still to: {', '.join(row['recipients_pending'])}")
        for address, reply in (row["recipients_refused"] or {}).items():
            click.echo(f"{'':10}refused for good: {address} ({reply})")
        if row["last_error"] and row["status"] != "sent":
            click.echo(f"{'':10}last error: {row['last_error'][:300]}")


def _existing_storage(ctx: click.Context, config_path: Path | None, what: str) -> Storage:
    """The database, for a command that changes it: refused when there is none."""
    settings = _settings(ctx, config_path, "warning")
    path = settings.storage.path
    if not path.is_file():
        click.echo(f"edgarwatch: no database at {path}: nothing to {what}", err=True)
        raise SystemExit(EX_UNHEALTHY)
    return _open_storage(settings)


def _one(storage: Storage, short_id: str) -> dict[str, Any]:
    found = storage.outbox.find(short_id)
    if len(found) != 1:
        problem = "matches no notification" if not found else f"matches {len(found)} notifications"
        click.echo(
            f"edgarwatch: ID {short_id!r} {problem} (see `edgarwatch notifications`)", err=True
        )
        raise SystemExit(EX_USAGE)
    return found[0]


@notifications.command("retry")
@_config_option
@click.argument("short_id", metavar="ID", required=False)
@click.option("--all-dead", is_flag=True, help="Every dead notification (of --channel).")
@click.option("--channel", "channel_name", help="With --all-dead: only this channel.")
@click.pass_context
def notifications_retry(
    ctx: click.Context,
    config_path: Path | None,
    short_id: str | None,
    all_dead: bool,
    channel_name: str | None,
) -> None:
    """Send dead notifications again: dead → pending, due now, attempts kept.

    A running daemon sends them within notify.dispatch_seconds; an email
    recipient refused for good is the only one it is sent to again.
    """
    from edgarwatch.storage.timefmt import utc_now

    if bool(short_id) == all_dead:
        click.echo("edgarwatch: give an ID or --all-dead", err=True)
        raise SystemExit(EX_USAGE)
    storage = _existing_storage(ctx, config_path, "retry")
    try:
        if short_id:
            row = _one(storage, short_id)
            if row["status"] != "dead":
                click.echo(f"edgarwatch: {short_id} is {row['status']}, not dead", err=True)
                raise SystemExit(EX_UNHEALTHY)
            done = storage.outbox.requeue(utc_now(), delivery_id=row["delivery_id"])
        else:
            done = storage.outbox.requeue(utc_now(), channel=channel_name)
    finally:
        storage.close()
    click.echo(f"{len(done)} notification(s) queued again: due now.")


@notifications.command("dismiss")
@_config_option
@click.argument("short_id", metavar="ID")
@click.pass_context
def notifications_dismiss(ctx: click.Context, config_path: Path | None, short_id: str) -> None:
    """Dead → dismissed: kept in the table, no longer counted by `status`."""
    storage = _existing_storage(ctx, config_path, "dismiss")
    try:
        row = _one(storage, short_id)
        if not storage.outbox.dismiss(row["delivery_id"]):
            click.echo(f"edgarwatch: {short_id} is {row['status']}, not dead", err=True)
            raise SystemExit(EX_UNHEALTHY)
    finally:
        storage.close()
    click.echo(f"{row['delivery_id'][:8]} dismissed ({row['channel']}, {row['accession']}).")


@main.command("test-notify")
@_config_option
@click.option("--channel", "channel_name", help="Only this channel (default: every channel).")
@click.pass_context
def test_notify(ctx: click.Context, config_path: Path | None, channel_name: str | None) -> None:
    """Send a sample notification (the seed filing) through each channel."""
    from edgarwatch.notifiers import NotifierError, notifier_for
    from edgarwatch.notifiers.sample import sample_delivery, sample_report

    settings = _settings(ctx, config_path, "warning")
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


@main.group()
def watch() -> None:
    """Manage the watchlist file (watch.file); the daemon picks changes up by itself."""


@watch.command("add")
@_config_option
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

    settings = _settings(ctx, config_path, "warning")
    path = _watch_file(settings)
    runtime = _runtime(settings)
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
@_config_option
@click.argument("entries", nargs=-1, required=True)
@click.pass_context
def watch_remove(ctx: click.Context, config_path: Path | None, entries: tuple[str, ...]) -> None:
    """Stop watching companies (by ticker or CIK) listed in the watch file."""
    from edgarwatch.daemon.watchfile import remove_from_watch_file
    from edgarwatch.daemon.watchlist import split_entries
    from edgarwatch.storage import Storage, StorageError

    settings = _settings(ctx, config_path, "warning")
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
@_config_option
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def watch_list(ctx: click.Context, config_path: Path | None, as_json: bool) -> None:
    """The resolved watchlist: CIK, ticker and name (from company_tickers.json)."""
    settings = _settings(ctx, config_path, "warning")
    runtime = _runtime(settings)
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


@main.command()
@_config_option
@_log_option
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

    settings = _settings(ctx, config_path, log_level or "warning")
    runtime = _runtime(settings)
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


# -- tools ---------------------------------------------------------------------------------


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--index-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where {accession}-index.htm pages are, to add EDGAR's declared items.",
)
def parse(files: tuple[Path, ...], index_dir: Path | None) -> None:
    """Parse local 8-K files: one JSON object per file (items, text, exhibits)."""
    raise SystemExit(run_parse(list(files), index_dir, sys.stdout))


def run_parse(paths: list[Path], index_dir: Path | None, out: TextIO) -> int:
    """Parse each file; a file that fails prints `{"file", "error"}` instead.

    Returns the exit status: 0 when every file parsed, 1 otherwise. Never lets
    a traceback out: one bad file must not stop a run over thousands. Imports
    only the parser (no requests, sqlite_utils, APScheduler): start-up time
    counts over thousands of files (`benchmarks/parse_corpus.py`).
    """
    from edgarwatch.edgar.parse import parse_file

    failed = False
    for path in paths:
        try:
            result = parse_file(path, index_dir=index_dir)
        except Exception as error:  # noqa: BLE001 - reported per file; the run goes on
            failed = True
            result = {"file": str(path), "error": f"{type(error).__name__}: {error}"}
        out.write(json.dumps(result, ensure_ascii=False))
        out.write("\n")
    return 1 if failed else 0


@main.command()
@click.option("--seconds", type=float, default=20.0, show_default=True)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="warning",
    show_default=True,
)
def demo(seconds: float, log_level: str) -> None:
    """Run the daemon against a built-in EDGAR replay for ~20 s (no network)."""
    from edgarwatch import logs
    from edgarwatch.demo import run_demo

    logs.configure(log_level)
    raise SystemExit(run_demo(seconds))
