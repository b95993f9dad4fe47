"""The dispatcher's long-lived workers, pacing and coalescing (issues 8.3 and 12.1).

One worker per channel: a slow channel delays only itself, a channel's rows
go oldest first, `wake` delivers at once, `stop` returns in time and leaves
every row deliverable; bursts go at the service's pace, and above a channel's
threshold as summaries that mark every row they list.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from edgarwatch.notifiers.base import Notifier
from edgarwatch.notifiers.dispatch import Dispatcher
from edgarwatch.notifiers.webhook import WebhookNotifier, WebhookSettings
from edgarwatch.policy import NotifySettings
from edgarwatch.secrets import Secret
from edgarwatch.storage import Storage
from tests.servers.slack_receiver import HttpReceiver, Reply, SlackReceiver, slow
from tests.test_dispatch import queue, slack, statuses, storage_with

IDLE = NotifySettings(dispatch_seconds=60)
"""A tick far away: whatever is delivered was delivered because of a wake."""


def webhook(receiver: HttpReceiver, name: str = "webhook", timeout: float = 2.0) -> Notifier:
    return WebhookNotifier(WebhookSettings(name=name, url=Secret(receiver.url), timeout=timeout))


def accepted_accessions(receiver: HttpReceiver, refused: int = 0) -> list[str]:
    return [r.json()["filing"]["accession"] for r in receiver.requests][refused:]


def until(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return predicate()


def claims(storage: Storage) -> list[str | None]:
    rows = storage.connections.query("SELECT claimed_by FROM notifications ORDER BY rowid")
    return [row["claimed_by"] for row in rows]


@pytest.fixture
def stopped() -> Iterator[list[Dispatcher]]:
    """Dispatchers to stop whatever the test did."""
    started: list[Dispatcher] = []
    yield started
    for dispatcher in started:
        dispatcher.stop(1.0)


def test_a_slow_channel_never_delays_another_channel(
    tmp_path: Path, stopped: list[Dispatcher]
) -> None:
    with SlackReceiver(default=slow(8.0)) as sluggish, SlackReceiver() as healthy:
        storage = storage_with(tmp_path, ["sluggish", "healthy"], count=3)
        notifiers: dict[str, Notifier] = {
            "sluggish": slack("sluggish", sluggish, timeout=10, min_interval=0),
            "healthy": slack("healthy", healthy, min_interval=0),
        }
        dispatcher = Dispatcher(storage, notifiers, IDLE, "me:1")
        stopped.append(dispatcher)
        started = time.monotonic()
        dispatcher.start()
        healthy.wait_for(3, timeout=3)
        assert until(lambda: statuses(storage)["healthy"] == ["sent"] * 3, 2)
        assert time.monotonic() - started < 1.5  # not 8 s, not 24 s
        sluggish.wait_for(1)  # its first post is still in flight
        assert statuses(storage)["sluggish"] == ["pending"] * 3
        stopping = time.monotonic()
        assert dispatcher.stop(1.0) is False  # the slow post is still running
        assert time.monotonic() - stopping < 1.1
    assert claims(storage) == [None] * 6  # the row in flight was given back


def test_rows_of_one_channel_go_oldest_first_even_through_a_rate_limit(
    tmp_path: Path, stopped: list[Dispatcher]
) -> None:
    with HttpReceiver() as receiver:
        storage = Storage.open(tmp_path / "edgarwatch.db")
        order = queue(storage, ["webhook"], count=8)
        receiver.reply(Reply(200), Reply(200), Reply(429, "slow down", {"Retry-After": "1"}))
        dispatcher = Dispatcher(storage, {"webhook": webhook(receiver)}, IDLE, "me:1")
        stopped.append(dispatcher)
        dispatcher.start()
        receiver.wait_for(9, timeout=5)
        sent = accepted_accessions(receiver)
        assert sent[2] == sent[3]  # the refused row went again first, after Retry-After
        assert sent[:2] + sent[3:] == order
        assert until(lambda: statuses(storage)["webhook"] == ["sent"] * 8, 2)


def test_wake_delivers_within_100_ms(tmp_path: Path, stopped: list[Dispatcher]) -> None:
    with HttpReceiver() as receiver:
        storage = Storage.open(tmp_path / "edgarwatch.db")
        dispatcher = Dispatcher(storage, {"webhook": webhook(receiver)}, IDLE, "me:1")
        stopped.append(dispatcher)
        dispatcher.start()
        time.sleep(0.2)  # the worker found nothing and sleeps (its tick is 60 s away)
        queue(storage, ["webhook"])
        time.sleep(0.3)
        assert receiver.requests == []  # nobody looks without a wake
        woken = time.monotonic()
        dispatcher.wake(["webhook", "not-a-channel"])
        receiver.wait_for(1, timeout=2)
        assert time.monotonic() - woken < 0.1


def test_stop_finishes_the_row_in_flight_and_leaves_the_rest_unclaimed(
    tmp_path: Path, stopped: list[Dispatcher]
) -> None:
    with HttpReceiver(default=slow(0.5, Reply(200))) as receiver:
        storage = storage_with(tmp_path, ["webhook"], count=4)
        dispatcher = Dispatcher(storage, {"webhook": webhook(receiver)}, IDLE, "me:1")
        stopped.append(dispatcher)
        dispatcher.start()
        receiver.wait_for(1)
        stopping = time.monotonic()
        assert dispatcher.stop(5.0) is True
        assert time.monotonic() - stopping < 1.0
        assert statuses(storage)["webhook"] == ["sent", "pending", "pending", "pending"]
        assert claims(storage) == [None] * 4
        assert len(receiver.requests) == 1


def test_stop_returns_in_time_during_a_slow_send_and_the_row_is_sent_again(
    tmp_path: Path, stopped: list[Dispatcher]
) -> None:
    """At-least-once: a send cut short by the stop is delivered by whoever comes next."""
    with HttpReceiver(default=slow(3.0, Reply(200))) as receiver:
        storage = storage_with(tmp_path, ["webhook"])
        dispatcher = Dispatcher(storage, {"webhook": webhook(receiver, timeout=10)}, IDLE, "me:1")
        stopped.append(dispatcher)
        dispatcher.start()
        receiver.wait_for(1)
        stopping = time.monotonic()
        assert dispatcher.stop(0.5) is False
        assert time.monotonic() - stopping < 0.6
        assert statuses(storage)["webhook"] == ["pending"]
        assert claims(storage) == [None]
        receiver.default = Reply(200)
        successor = Dispatcher(storage, {"webhook": webhook(receiver)}, IDLE, "me:2")
        assert successor.dispatch().sent == 1
        assert statuses(storage)["webhook"] == ["sent"]
        assert len(receiver.requests) == 2


def test_the_loopback_slack_enforces_one_message_a_second(slack_receiver: SlackReceiver) -> None:
    with SlackReceiver(rate_limit=1.0) as limited:
        import requests

        answers = [requests.post(limited.url, json={"text": "x"}, timeout=2) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 429, 429]
    assert answers[1].headers["Retry-After"] == "1"
    assert limited.throttled == 2


@pytest.mark.slow
def test_a_burst_is_paced_so_slack_never_answers_429(tmp_path: Path) -> None:
    with SlackReceiver(rate_limit=1.0) as limited:
        storage = storage_with(tmp_path, ["slack"], count=4)
        notifier = slack("slack", limited, coalesce_above=0)
        started = time.monotonic()
        result = Dispatcher(storage, {"slack": notifier}, NotifySettings(), "me:1").dispatch()
        elapsed = time.monotonic() - started
    assert result.sent == 4
    assert limited.throttled == 0
    assert 3.0 <= elapsed < 5.0


def test_unpaced_the_same_burst_meets_429s(tmp_path: Path) -> None:
    """The control: what issue 12.1 measured (24 posts in a second, 15 refused)."""
    with SlackReceiver(rate_limit=1.0) as limited:
        storage = storage_with(tmp_path, ["slack"], count=4)
        notifier = slack("slack", limited, min_interval=0, coalesce_above=0)
        result = Dispatcher(storage, {"slack": notifier}, NotifySettings(), "me:1").dispatch()
    assert limited.throttled == 1
    assert (result.sent, result.retried) == (1, 1)


def test_a_burst_above_the_threshold_is_one_summary_marking_every_row(tmp_path: Path) -> None:
    with SlackReceiver() as receiver:
        storage = Storage.open(tmp_path / "edgarwatch.db")
        accessions = queue(storage, ["slack"], count=25)
        notifier = slack("slack", receiver)
        result = Dispatcher(storage, {"slack": notifier}, NotifySettings(), "me:1").dispatch()
    assert (result.sent, result.summaries) == (25, 1)
    (request,) = receiver.requests
    body = request.body.decode()
    assert all(f"{accession}-index.htm" in body for accession in accessions)
    assert request.json()["blocks"][0]["text"]["text"] == "25 new filings: Item 1.01"
    assert statuses(storage)["slack"] == ["sent"] * 25


def test_a_burst_larger_than_one_summary_is_split_evenly(tmp_path: Path) -> None:
    with SlackReceiver() as receiver:
        storage = Storage.open(tmp_path / "edgarwatch.db")
        accessions = queue(storage, ["slack"], count=50)
        notifier = slack("slack", receiver, min_interval=0)
        result = Dispatcher(storage, {"slack": notifier}, NotifySettings(), "me:1").dispatch()
    assert (result.sent, result.summaries) == (50, 2)
    bodies = [request.body.decode() for request in receiver.requests]
    assert [sum(f"{a}-index" in body for a in accessions) for body in bodies] == [25, 25]
    assert all(f"{a}-index" in bodies[0] for a in accessions[:25])  # oldest first


def test_at_the_threshold_rows_go_one_by_one(tmp_path: Path) -> None:
    with SlackReceiver() as receiver:
        storage = storage_with(tmp_path, ["slack"], count=3)
        notifier = slack("slack", receiver, min_interval=0, coalesce_above=3)
        result = Dispatcher(storage, {"slack": notifier}, NotifySettings(), "me:1").dispatch()
    assert (result.sent, result.summaries, len(receiver.requests)) == (3, 0, 3)


def test_a_summary_refused_for_good_falls_back_to_one_by_one(tmp_path: Path) -> None:
    with SlackReceiver() as receiver:
        storage = storage_with(tmp_path, ["slack"], count=12)
        receiver.reply(Reply(400, "invalid_blocks"))
        notifier = slack("slack", receiver, min_interval=0)
        result = Dispatcher(storage, {"slack": notifier}, NotifySettings(), "me:1").dispatch()
    assert (result.sent, result.dead, result.summaries) == (12, 0, 0)
    assert len(receiver.requests) == 13
    assert statuses(storage)["slack"] == ["sent"] * 12


def test_a_summary_the_channel_could_not_take_is_retried_as_a_whole(tmp_path: Path) -> None:
    with SlackReceiver() as receiver:
        storage = storage_with(tmp_path, ["slack"], count=12)
        receiver.reply(Reply(503, "", {"Retry-After": "30"}))
        notifier = slack("slack", receiver)
        result = Dispatcher(storage, {"slack": notifier}, NotifySettings(), "me:1").dispatch()
    assert (result.sent, result.retried) == (0, 12)
    rows = storage.connections.query("SELECT attempts, next_attempt_at FROM notifications")
    assert {row["attempts"] for row in rows} == {1}
    assert len({row["next_attempt_at"] for row in rows}) == 1
    assert 29 <= notifier.pacer.wait() <= 30  # the whole channel waits, not just the rows


def test_starting_buries_rows_of_a_channel_no_longer_configured(
    tmp_path: Path, stopped: list[Dispatcher]
) -> None:
    with HttpReceiver() as receiver:
        storage = storage_with(tmp_path, ["gone", "webhook"])
        dispatcher = Dispatcher(storage, {"webhook": webhook(receiver)}, IDLE, "me:1")
        stopped.append(dispatcher)
        dispatcher.start()
        receiver.wait_for(1)
        assert statuses(storage)["gone"] == ["dead"]
        assert "no longer configured" in storage.outbox.dead_by_channel()[0]["last_error"]
