"""`edgarwatch notifications`: operators list, retry and dismiss (issue 12.5)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from edgarwatch.cli import main
from edgarwatch.notifiers.dispatch import Dispatcher
from edgarwatch.notifiers.webhook import WebhookNotifier, WebhookSettings
from edgarwatch.policy import NotifySettings
from edgarwatch.secrets import Secret
from edgarwatch.storage import Storage
from edgarwatch.storage.messages import Outgoing
from edgarwatch.storage.timefmt import iso
from tests.servers.slack_receiver import HttpReceiver, Reply
from tests.support import write_config
from tests.test_dispatch import queue


def run(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(config), *args])
    return result.exit_code, result.output


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """Three notifications of the slack channel, oldest first: sent, dead, pending; one
    dead on email with a recipient refused for good."""
    path = tmp_path / "edgarwatch.db"
    storage = Storage.open(path)
    queue(storage, ["slack"], count=3)
    queue(storage, ["email"], count=1, first=3)
    db = storage.connections.db
    for n, (status, error) in enumerate(
        [("sent", None), ("dead", "Slack answered HTTP 404: no_service"), ("pending", "HTTP 503")]
    ):
        db.execute(
            "UPDATE notifications SET status = ?, last_error = ?, attempts = ?, created_at = ? "
            "WHERE accession = ?",
            [
                status,
                error,
                n + 1,
                iso(datetime.now(UTC) - timedelta(minutes=10 - n)),
                f"0001104659-07-{35757 + n:06d}",
            ],
        )
    db.execute(
        "UPDATE notifications SET status = 'dead', attempts = 1, sent_at = ?, "
        "recipients_refused = ?, last_error = 'SMTP refused some recipients: gone@example.com (550)' "
        "WHERE channel = 'email'",
        [iso(datetime.now(UTC)), json.dumps({"gone@example.com": "550 5.1.1 No such user"})],
    )
    storage.close()
    return path


@pytest.fixture
def config(tmp_path: Path, database: Path) -> Path:
    return write_config(
        tmp_path / "config.toml",
        "http://127.0.0.1:9",
        database,
        extra='[slack]\nwebhook_url = "http://127.0.0.1:9/services/T0/B0/xxxxxxxxxxxx"\n',
    )


def rows(database: Path) -> dict[str, dict[str, object]]:
    storage = Storage.open(database)
    try:
        return {
            r["accession"][-6:]: r for r in storage.connections.query("SELECT * FROM notifications")
        }
    finally:
        storage.close()


def short_id(database: Path, accession_tail: str) -> str:
    return str(rows(database)[accession_tail]["delivery_id"])[:8]


def test_it_lists_newest_first_with_what_an_operator_needs(config: Path, database: Path) -> None:
    code, output = run(config, "notifications")
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].split() == [
        "ID",
        "CREATED",
        "(UTC)",
        "STATUS",
        "TRIES",
        "CHANNEL",
        "RULE",
        "ACCESSION",
        "COMPANY",
    ]
    accessions = [line.split()[7] for line in lines[1:] if line[:1] != " "]
    assert accessions == [
        "0001104659-07-035760",
        "0001104659-07-035759",
        "0001104659-07-035758",
        "0001104659-07-035757",
    ]
    assert "IMMUNOGEN INC" in output
    assert "last error: Slack answered HTTP 404: no_service" in output
    assert "refused for good: gone@example.com (550 5.1.1 No such user)" in output
    assert short_id(database, "035758") in output


def test_it_filters_by_status_and_channel_and_prints_json(config: Path) -> None:
    code, output = run(config, "notifications", "--status", "dead", "--channel", "slack", "--json")
    assert code == 0, output
    (row,) = json.loads(output)
    assert (row["accession"], row["status"], row["attempts"], row["rule"]) == (
        "0001104659-07-035758",
        "dead",
        2,
        "default",
    )
    assert row["company"] == "IMMUNOGEN INC"
    assert row["last_error"] == "Slack answered HTTP 404: no_service"
    assert row["id"] == row["delivery_id"][:8]


def test_listing_never_creates_a_missing_database(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "edgarwatch.db"
    config = write_config(tmp_path / "config.toml", "http://127.0.0.1:9", missing)
    code, output = run(config, "notifications")
    assert code == 1
    assert f"no database at {missing}" in output
    assert not missing.exists()
    assert not missing.parent.exists()


@pytest.mark.parametrize(
    "args", [["retry", "--all-dead"], ["retry", "abcd1234"], ["dismiss", "abcd1234"]]
)
def test_write_commands_refuse_a_missing_database(tmp_path: Path, args: list[str]) -> None:
    missing = tmp_path / "edgarwatch.db"
    config = write_config(tmp_path / "config.toml", "http://127.0.0.1:9", missing)
    code, output = run(config, "notifications", *args)
    assert code == 1
    assert f"no database at {missing}: nothing to {args[0]}" in output
    assert not missing.exists()


def test_retry_makes_a_dead_row_due_now_and_keeps_its_attempts(
    config: Path, database: Path
) -> None:
    code, output = run(config, "notifications", "retry", short_id(database, "035758"))
    assert (code, output.strip()) == (0, "1 notification(s) queued again: due now.")
    row = rows(database)["035758"]
    assert (row["status"], row["attempts"], row["claimed_by"]) == ("pending", 2, None)
    assert datetime.fromisoformat(str(row["next_attempt_at"])) <= datetime.now(UTC)
    assert row["requeued_at"] is not None
    assert rows(database)["035760"]["status"] == "dead"  # the other dead row is untouched


def test_retry_of_a_partly_refused_email_goes_to_the_refused_recipient_only(
    config: Path, database: Path
) -> None:
    code, _ = run(config, "notifications", "retry", short_id(database, "035760"))
    assert code == 0
    row = rows(database)["035760"]
    assert row["status"] == "pending"
    assert json.loads(str(row["recipients_pending"])) == ["gone@example.com"]
    assert row["recipients_refused"] is None


def test_retry_all_dead_and_by_channel(config: Path, database: Path) -> None:
    code, output = run(config, "notifications", "retry", "--all-dead", "--channel", "email")
    assert (code, output.strip()) == (0, "1 notification(s) queued again: due now.")
    assert rows(database)["035758"]["status"] == "dead"
    code, output = run(config, "notifications", "retry", "--all-dead")
    assert output.strip() == "1 notification(s) queued again: due now."
    assert {r["status"] for r in rows(database).values()} == {"sent", "pending"}


def test_retry_refuses_what_is_not_dead_and_unknown_or_ambiguous_ids(
    config: Path, database: Path
) -> None:
    code, output = run(config, "notifications", "retry", short_id(database, "035757"))
    assert code == 1
    assert "is sent, not dead" in output
    assert run(config, "notifications", "retry", "ffffffff")[0] == 2
    assert run(config, "notifications", "retry", "")[0] == 2
    code, output = run(config, "notifications", "retry")
    assert (code, "give an ID or --all-dead" in output) == (2, True)


def test_dismiss_keeps_the_row_and_status_stops_counting_it(config: Path, database: Path) -> None:
    code, status = run(config, "status", "--json")
    assert json.loads(status)["notifications"]["dead"] == 2
    for tail in ("035758", "035760"):
        code, output = run(config, "notifications", "dismiss", short_id(database, tail))
        assert code == 0, output
        assert "dismissed" in output
    assert rows(database)["035758"]["status"] == "dismissed"
    report = json.loads(run(config, "status", "--json")[1])
    assert report["notifications"]["dead"] == 0
    assert report["notifications"]["dead_channels"] == []
    assert not any("dead notification" in problem for problem in report["problems"])
    code, output = run(config, "notifications", "--status", "dismissed", "--json")
    assert len(json.loads(output)) == 2
    assert run(config, "notifications", "dismiss", short_id(database, "035758"))[0] == 1


def test_a_retried_row_gets_a_fresh_give_up_age(
    tmp_path: Path, config: Path, database: Path
) -> None:
    """A dead row created days ago, retried, is retried again on a transient failure
    instead of going straight back to dead."""
    storage = Storage.open(database)
    storage.connections.db.execute(
        "UPDATE notifications SET created_at = ? WHERE status = 'dead' AND channel = 'slack'",
        [iso(datetime.now(UTC) - timedelta(days=3))],
    )
    storage.close()
    run(config, "notifications", "retry", short_id(database, "035758"))
    storage = Storage.open(database)
    with HttpReceiver(default=Reply(503, "busy")) as receiver:
        webhook = WebhookNotifier(
            WebhookSettings(name="slack", url=Secret(receiver.url), timeout=2)
        )
        storage.connections.db.execute(
            "UPDATE notifications SET status = 'sent' WHERE status = 'pending'"
        )
        storage.connections.db.execute(
            "UPDATE notifications SET status = 'pending' WHERE accession = '0001104659-07-035758'"
        )
        result = Dispatcher(storage, {"slack": webhook}, NotifySettings(), "me:1").dispatch()
    assert (result.retried, result.dead) == (1, 0)


def test_messages_lists_the_digests_and_alarms_with_why_one_died(
    config: Path, database: Path
) -> None:
    storage = Storage.open(database)
    storage.messages.queue(
        "slack", Outgoing("digest:2026-11-27", "digest", "8-K digest for 2026-11-27", "{}")
    )
    storage.messages.queue(
        "slack", Outgoing("alarm:poll-stalled:1", "alarm", "ALARM: no poll for 10 minutes", "{}")
    )
    storage.connections.db.execute(
        "UPDATE messages SET status = 'dead', attempts = 3, created_at = ?, "
        "last_error = 'Slack answered HTTP 404: no_service' WHERE kind = 'alarm'",
        [iso(datetime.now(UTC) + timedelta(seconds=1))],
    )
    storage.close()
    code, output = run(config, "notifications", "--messages")
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].split() == [
        "ID",
        "CREATED",
        "(UTC)",
        "STATUS",
        "TRIES",
        "CHANNEL",
        "KIND",
        "TITLE",
    ]
    assert "dead" in lines[1]
    assert "ALARM: no poll for 10 minutes" in lines[1]
    assert lines[2].strip() == "last error: Slack answered HTTP 404: no_service"
    assert "pending" in lines[3]
    assert "8-K digest for 2026-11-27" in lines[3]
    assert len(lines) == 4  # the filings' notifications are not listed
    code, output = run(config, "notifications", "--messages", "--status", "dead", "--json")
    assert code == 0, output
    listed = json.loads(output)
    assert [(m["kind"], m["key"], m["attempts"]) for m in listed] == [
        ("alarm", "alarm:poll-stalled:1", 3)
    ]
    code, output = run(config, "notifications")
    assert "digest" not in output
    assert "ALARM" not in output


def test_messages_on_a_database_without_any(config: Path) -> None:
    code, output = run(config, "notifications", "--messages")
    assert code == 0, output
    assert output.strip() == "No digests or alarms."
