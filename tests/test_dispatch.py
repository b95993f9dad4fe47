"""The dispatcher: at least once, retries with backoff, dead on permanent errors,
and one broken channel never delaying another."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from edgarwatch.filing import Company, Filing, FilingReport, Item
from edgarwatch.notifiers.base import Notifier
from edgarwatch.notifiers.dispatch import Dispatcher
from edgarwatch.notifiers.pacing import Pacer
from edgarwatch.notifiers.slack import SlackNotifier, SlackSettings
from edgarwatch.policy import NotifyPolicy, NotifySettings
from edgarwatch.secrets import Secret
from edgarwatch.storage import NewNotification, Storage
from edgarwatch.storage.timefmt import iso
from tests.servers.slack_receiver import Reply, SlackReceiver, rate_limited, slow


def storage_with(tmp_path: Path, channels: list[str], count: int = 1) -> Storage:
    storage = Storage.open(tmp_path / "edgarwatch.db")
    queue(storage, channels, count)
    return storage


def queue(storage: Storage, channels: list[str], count: int = 1, first: int = 0) -> list[str]:
    """Record `count` Item 1.01 filings, each notifying `channels`; their accessions, in order."""
    accessions = []
    for n in range(first, first + count):
        accession = f"0001104659-07-{35757 + n:06d}"
        accessions.append(accession)
        filing = Filing(
            accession,
            "8-K",
            (Company(855654, "IMMUNOGEN INC"),),
            f"https://www.sec.gov/Archives/edgar/data/855654/x/{accession}-index.htm",
            items=("1.01",),
        )
        storage.filings.record(filing, source="feed", policy=NotifyPolicy.NEWS)
        storage.filings.record_enrichment(
            FilingReport(
                filing,
                items=(
                    Item("1.01", "Entry into a Material Definitive Agreement", "An agreement."),
                ),
            ),
            [NewNotification(channel, "default", ("1.01",)) for channel in channels],
        )
    return accessions


def slack(
    name: str,
    receiver: SlackReceiver,
    timeout: float = 2.0,
    *,
    min_interval: float = 1.0,
    coalesce_above: int = 10,
) -> SlackNotifier:
    return SlackNotifier(
        SlackSettings(
            name=name,
            webhook_url=Secret(receiver.url),
            timeout=timeout,
            min_interval_seconds=min_interval,
            coalesce_above=coalesce_above,
        )
    )


def statuses(storage: Storage) -> dict[str, list[str]]:
    rows = storage.connections.query("SELECT channel, status FROM notifications ORDER BY rowid")
    result: dict[str, list[str]] = {}
    for row in rows:
        result.setdefault(row["channel"], []).append(row["status"])
    return result


@pytest.mark.slow
def test_it_marks_a_row_sent_only_after_the_channel_accepted_it(
    tmp_path: Path, slack_receiver: SlackReceiver
) -> None:
    storage = storage_with(tmp_path, ["slack"])
    dispatcher = Dispatcher(
        storage, {"slack": slack("slack", slack_receiver)}, NotifySettings(), "me:1"
    )
    slack_receiver.reply(Reply(500, "rollup_error"))
    first = dispatcher.dispatch()
    assert first.sent == 0
    assert first.retried == 1
    assert statuses(storage) == {"slack": ["pending"]}
    row = storage.connections.query(
        "SELECT attempts, last_error, next_attempt_at FROM notifications"
    )[0]
    assert row["attempts"] == 1
    assert "500" in row["last_error"]
    assert datetime.fromisoformat(row["next_attempt_at"]) > datetime.now(UTC)
    assert dispatcher.dispatch().sent == 0  # not due yet: backing off
    storage.connections.db.execute(
        "UPDATE notifications SET next_attempt_at = ?", [iso(datetime.now(UTC))]
    )
    assert dispatcher.dispatch().sent == 1
    assert statuses(storage) == {"slack": ["sent"]}
    assert len(slack_receiver.requests) == 2


def test_it_honours_slacks_retry_after(tmp_path: Path, slack_receiver: SlackReceiver) -> None:
    storage = storage_with(tmp_path, ["slack"])
    dispatcher = Dispatcher(
        storage, {"slack": slack("slack", slack_receiver)}, NotifySettings(), "me:1"
    )
    slack_receiver.reply(rate_limited(120))
    dispatcher.dispatch()
    row = storage.connections.query("SELECT next_attempt_at FROM notifications")[0]
    wait = datetime.fromisoformat(row["next_attempt_at"]) - datetime.now(UTC)
    assert wait > timedelta(seconds=110)


@pytest.mark.parametrize(
    ("status", "error"), [(403, "invalid_token"), (404, "no_service"), (400, "invalid_payload")]
)
def test_a_permanent_slack_error_goes_straight_to_dead(
    tmp_path: Path,
    slack_receiver: SlackReceiver,
    status: int,
    error: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    storage = storage_with(tmp_path, ["slack"])
    dispatcher = Dispatcher(
        storage, {"slack": slack("slack", slack_receiver)}, NotifySettings(), "me:1"
    )
    slack_receiver.reply(Reply(status, error))
    assert dispatcher.dispatch().dead == 1
    dead = storage.outbox.dead_by_channel()
    assert dead[0]["channel"] == "slack"
    assert error in dead[0]["last_error"]
    assert any(r.levelname == "ERROR" and "dead" in r.getMessage() for r in caplog.records)
    assert slack_receiver.url.split("/services/")[1] not in caplog.text


def test_a_row_failing_for_longer_than_the_give_up_age_is_dead(
    tmp_path: Path, slack_receiver: SlackReceiver
) -> None:
    storage = storage_with(tmp_path, ["slack"])
    storage.connections.db.execute(
        "UPDATE notifications SET created_at = ?", [iso(datetime.now(UTC) - timedelta(hours=25))]
    )
    dispatcher = Dispatcher(
        storage, {"slack": slack("slack", slack_receiver)}, NotifySettings(give_up_hours=24), "me:1"
    )
    slack_receiver.reply(Reply(503, "service_unavailable"))
    assert dispatcher.dispatch().dead == 1
    assert "gave up after 24 h" in storage.outbox.dead_by_channel()[0]["last_error"]


@pytest.mark.slow
def test_one_slow_failing_channel_never_delays_another(tmp_path: Path) -> None:
    with (
        SlackReceiver(default=slow(1.5, Reply(500, "rollup_error"))) as broken,
        SlackReceiver() as healthy,
    ):
        storage = storage_with(tmp_path, ["broken", "healthy"], count=5)
        notifiers: dict[str, Notifier] = {
            "broken": slack("broken", broken, timeout=5),
            "healthy": slack("healthy", healthy),
        }
        dispatcher = Dispatcher(storage, notifiers, NotifySettings(), "me:1")
        started = time.monotonic()
        result = dispatcher.dispatch()
        healthy_done = time.monotonic() if healthy.requests else 0.0
        assert result.sent == 5
        assert len(healthy.requests) == 5
        assert len(broken.requests) == 1  # the broken channel's turn ended at its first failure
        assert healthy_done - started < 10
    assert statuses(storage)["healthy"] == ["sent"] * 5
    assert statuses(storage)["broken"] == ["pending"] * 5


def test_two_dispatchers_never_send_the_same_row(
    tmp_path: Path, slack_receiver: SlackReceiver
) -> None:
    storage = storage_with(tmp_path, ["slack"], count=20)
    other = Storage.open(tmp_path / "edgarwatch.db")
    first = Dispatcher(
        storage,
        {"slack": slack("slack", slack_receiver, min_interval=0, coalesce_above=0)},
        NotifySettings(),
        "host:1",
    )
    second = Dispatcher(
        other,
        {"slack": slack("slack", slack_receiver, min_interval=0, coalesce_above=0)},
        NotifySettings(),
        "host:2",
    )
    threads = [threading.Thread(target=d.dispatch) for d in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(slack_receiver.requests) == 20
    assert statuses(storage) == {"slack": ["sent"] * 20}


def test_a_recipient_refused_for_now_gets_it_later_and_nobody_gets_it_twice(
    tmp_path: Path,
) -> None:
    """Issue 8.6: a 450 for one recipient used to mark the row sent: that recipient never
    got it. Now the 450 is retried for that recipient alone; a 550 is recorded as refused
    for good, and the row shows as dead (status, notifications) until someone sees to it."""
    from edgarwatch.notifiers.email import EmailNotifier
    from edgarwatch.notifiers.email_settings import EmailSettings
    from tests.servers.smtp import SmtpServer

    ok, busy, gone = "bd-team@example.com", "busy@example.com", "gone@example.com"
    refuse: dict[str, str | list[str]] = {
        busy: ["450 4.2.1 Mailbox busy"],
        gone: "550 5.1.1 No such user",
    }
    with SmtpServer(refuse=refuse) as server:
        storage = storage_with(tmp_path, ["email"])
        settings = EmailSettings(
            name="email",
            host=server.host,
            port=server.port,
            sender="edgarwatch@example.com",
            recipients=(ok, busy, gone),
            security="none",
            timeout=5,
        )
        dispatcher = Dispatcher(
            storage, {"email": EmailNotifier(settings)}, NotifySettings(), "me:1"
        )
        first = dispatcher.dispatch()
        assert (first.sent, first.retried, first.dead) == (0, 1, 0)
        row = storage.connections.query("SELECT * FROM notifications")[0]
        assert row["status"] == "pending"
        assert json.loads(row["recipients_pending"]) == [busy]
        assert json.loads(row["recipients_refused"]) == {gone: "550 5.1.1 No such user"}
        storage.connections.db.execute(
            "UPDATE notifications SET next_attempt_at = ?", [iso(datetime.now(UTC))]
        )
        dispatcher.notifiers["email"].pacer = Pacer()  # no need to sit out the backoff pause
        dispatcher.dispatch()
        assert [mail.rcpt_tos for mail in server.messages] == [(ok,), (busy,)]
    row = storage.connections.query("SELECT * FROM notifications")[0]
    assert row["status"] == "dead"  # for gone@, the one recipient who will never have it
    assert row["sent_at"] is not None  # the others did
    assert row["recipients_pending"] is None
    assert gone in row["last_error"]
    assert storage.outbox.counts(datetime.now(UTC))["dead"] == 1
    assert gone in storage.outbox.dead_by_channel()[0]["last_error"]
