"""`notifications [retry|dismiss]`: the outbox, its dead rows and what to do with them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from edgarwatch.cli.base import EX_UNHEALTHY, EX_USAGE, config_option, main
from edgarwatch.cli.opening import load_settings, open_storage

if TYPE_CHECKING:
    from edgarwatch.storage import Storage


@main.group(invoke_without_command=True)
@config_option
@click.option(
    "--status",
    type=click.Choice(["pending", "sent", "dead", "dismissed"]),
    help="Only notifications in this state.",
)
@click.option("--channel", "channel_name", help="Only this channel.")
@click.option("--limit", type=int, default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option(
    "--messages",
    "of_messages",
    is_flag=True,
    help="List the digests and alarms sent or owed instead of filings' notifications.",
)
@click.pass_context
def notifications(
    ctx: click.Context,
    config_path: Path | None,
    status: str | None,
    channel_name: str | None,
    limit: int,
    as_json: bool,
    of_messages: bool,
) -> None:
    """List notifications, newest first; `retry` and `dismiss` act on dead ones.

    The listing only reads the database (it never creates one). ID is the start
    of the delivery id; any unique prefix names a notification. `--messages`
    lists the digests and alarms instead.
    """
    if config_path is not None:
        ctx.obj["config_path"] = config_path
    if ctx.invoked_subcommand is not None:
        return
    from edgarwatch.storage import StorageError
    from edgarwatch.storage.messages import list_messages
    from edgarwatch.storage.outbox import list_notifications
    from edgarwatch.storage.readonly import open_read_only

    settings = load_settings(ctx, config_path, "warning")
    try:
        db = open_read_only(settings.storage.path)
    except StorageError as exc:
        click.echo(f"edgarwatch: {exc}", err=True)
        raise SystemExit(EX_UNHEALTHY) from None
    listing = list_messages if of_messages else list_notifications
    try:
        rows = listing(db, status=status, channel=channel_name, limit=limit)
    finally:
        db.close()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    elif of_messages:
        _print_messages(rows)
    else:
        _print_notifications(rows)


_LEAD = f"{'ID':<8}  {'CREATED (UTC)':<16}  {'STATUS':<9} {'TRIES':>5}  {'CHANNEL':<12} "
"""The columns every listing (notifications, digests and alarms) opens with."""


def _lead(row: dict[str, Any]) -> str:
    created = (row["created_at"] or "")[:16].replace("T", " ")
    return (
        f"{row['id']:<8}  {created:<16}  {row['status']:<9} {row['attempts'] or 0:>5}  "
        f"{row['channel'][:12]:<12} "
    )


def _last_error(row: dict[str, Any]) -> None:
    if row["last_error"] and row["status"] != "sent":
        click.echo(f"{'':10}last error: {row['last_error'][:300]}")


def _print_messages(rows: list[dict[str, Any]]) -> None:
    if not rows:
        click.echo("No digests or alarms.")
        return
    click.echo(f"{_LEAD}{'KIND':<6} TITLE")
    for row in rows:
        click.echo(f"{_lead(row)}{row['kind'][:6]:<6} {(row['title'] or row['key'])[:60]}")
        _last_error(row)


def _print_notifications(rows: list[dict[str, Any]]) -> None:
    if not rows:
        click.echo("No notifications.")
        return
    click.echo(f"{_LEAD}{'RULE':<10} {'ACCESSION':<20}  COMPANY")
    for row in rows:
        click.echo(
            f"{_lead(row)}{row['rule'][:10]:<10} {row['accession']:<20}  "
            f"{(row['company'] or '?')[:40]}"
        )
        if row["recipients_pending"]:
            click.echo(f"{'':10}still to: {', '.join(row['recipients_pending'])}")
        for address, reply in (row["recipients_refused"] or {}).items():
            click.echo(f"{'':10}refused for good: {address} ({reply})")
        _last_error(row)


def _existing_storage(ctx: click.Context, config_path: Path | None, what: str) -> Storage:
    """The database, for a command that changes it: refused when there is none."""
    settings = load_settings(ctx, config_path, "warning")
    path = settings.storage.path
    if not path.is_file():
        click.echo(f"edgarwatch: no database at {path}: nothing to {what}", err=True)
        raise SystemExit(EX_UNHEALTHY)
    return open_storage(settings)


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
@config_option
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
@config_option
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
