"""`edgarwatch run` end to end: EDGAR replay → daemon → Slack receiver and SMTP server.

Everything speaks its real protocol on loopback: HTTP for EDGAR and Slack,
SMTP for email, a datagram socket for systemd's notify protocol.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from benchmarks.crash_dispatch import seed
from edgarwatch.replay.server import Replay, ReplayServer
from tests.process import Daemon, database_value, edgarwatch, wait_until
from tests.servers.slack_receiver import OK, SlackReceiver, slow
from tests.servers.smtp import SmtpServer
from tests.support import company, eight_k, minutes_ago, tickers_json, write_config

IMMUNOGEN = company(855654, "IMMUNOGEN INC", ticker="IMGN")
APPLE = company(320193, "Apple Inc.", ticker="AAPL")
STRANGER = company(1999999, "UNWATCHED CORP", ticker="UNWD")
SICOR_TEXT = (
    "On April 30, 2007, ImmunoGen, Inc. (Nasdaq: IMGN) entered into a manufacturing agreement "
    "with Società Italiana Corticosteroidi S.r.l (SICOR). ImmunoGen will pay SICOR five million "
    "Euros for these cGMP batches of DMx through completion of the contract in early 2008."
)


@pytest.fixture
def replay() -> Iterator[tuple[Replay, str]]:
    edgar = Replay(tickers=tickers_json([IMMUNOGEN, APPLE, STRANGER]))
    with ReplayServer(edgar) as server:
        yield edgar, server.url


def channels(slack: SlackReceiver, smtp: SmtpServer) -> str:
    return f"""
[slack]
webhook_url = "{slack.url}"
timeout = 5

[email]
host = "127.0.0.1"
port = {smtp.port}
security = "none"
sender = "edgarwatch@acme.test"
recipients = ["bd-team@acme.test"]
timeout = 5

[notify]
dispatch_seconds = 1
"""


def baseline_done(database: Path) -> bool:
    return bool(database_value(database, "SELECT value FROM state WHERE key = 'baseline_at'"))


def polls_since(edgar: Replay, moment: datetime) -> int:
    """Polls answered since `moment`, counted where EDGAR sees them (an idle poll writes
    nothing to the database): the feed's small page, one per poll."""
    since = moment.timestamp()
    return sum(
        1
        for r in edgar.requests("action=getcurrent")
        if "count=10&" in r.path and r.at > since and r.status == 200
    )


@pytest.mark.slow
def test_an_item_101_of_a_watched_company_reaches_slack_and_email_once(
    replay: tuple[Replay, str],
    slack_receiver: SlackReceiver,
    smtp_server: SmtpServer,
    tmp_path: Path,
) -> None:
    edgar, url = replay
    database = tmp_path / "edgarwatch.db"
    config = write_config(
        tmp_path / "config.toml",
        url,
        database,
        extra=channels(slack_receiver, smtp_server),
        watch="ciks = [855654]",
    )
    deal = eight_k(
        IMMUNOGEN,
        {"1.01": SICOR_TEXT},
        exhibits=[("EX-10.1", "ex10.htm", "MANUFACTURING AGREEMENT")],
    )
    theirs = eight_k(STRANGER, ["1.01"])
    earnings = eight_k(IMMUNOGEN, ["2.02", "9.01"])
    for filing in (deal, theirs, earnings):
        edgar.add(filing)
    with Daemon(config, tmp_path / "daemon.log") as daemon:
        wait_until(lambda: baseline_done(database), why="the baseline poll")
        for filing in (theirs, deal, earnings):
            edgar.publish(filing.accession)
        slack_receiver.wait_for(1, timeout=20)
        wait_until(lambda: smtp_server.messages, why="the email")
        settled = datetime.now(UTC)
        wait_until(lambda: polls_since(edgar, settled) >= 3, why="three more polls")
        code, seconds = daemon.terminate()
        assert code == 0, daemon.output()
        assert seconds < 10
    assert len(slack_receiver.requests) == 1
    assert len(smtp_server.messages) == 1
    payload = json.dumps(slack_receiver.requests[0].json())
    assert "IMMUNOGEN INC" in payload
    assert "1.01" in payload
    assert "SICOR" in payload
    assert "five million" in payload
    assert f"{deal.accession}-index.htm" in payload
    assert "ex10.htm" in payload
    mail = smtp_server.messages[0].message
    assert (
        mail["Subject"]
        == "IMMUNOGEN INC — 8-K Item 1.01: Entry into a Material Definitive Agreement"
    )
    body = mail.get_body(("plain",))
    assert body is not None
    assert "SICOR" in body.get_content()
    # A restart sends nothing again.
    restarted = datetime.now(UTC)
    with Daemon(config, tmp_path / "daemon2.log") as daemon:
        wait_until(lambda: polls_since(edgar, restarted) >= 3, why="polls after the restart")
        code, _ = daemon.terminate()
        assert code == 0
    assert len(slack_receiver.requests) == 1
    assert len(smtp_server.messages) == 1
    # status shows the filing, the notifications and a latency figure; healthy.
    status = edgarwatch("--config", str(config), "status", "--json")
    report = json.loads(status.stdout)
    assert status.returncode == 0, status.stdout
    assert report["filings_recorded_today"] >= 2
    assert report["notifications"]["sent_today"] == 2
    assert report["latency_seconds"]["24h"]["count"] == 2
    assert report["latency_seconds"]["24h"]["p50"] < 30
    text = edgarwatch("--config", str(config), "status")
    assert "HEALTHY" in text.stdout
    assert "p50" in text.stdout
    listing = edgarwatch("--config", str(config), "filings", "--item", "1.01", "--json")
    assert [row["accession"] for row in json.loads(listing.stdout)] == [deal.accession]


@pytest.mark.slow
def test_status_turns_unhealthy_when_the_sec_answers_403(
    replay: tuple[Replay, str], tmp_path: Path
) -> None:
    edgar, url = replay
    database = tmp_path / "edgarwatch.db"
    config = write_config(tmp_path / "config.toml", url, database, watch="ciks = [855654]")
    with Daemon(config, tmp_path / "daemon.log") as daemon:
        wait_until(lambda: baseline_done(database), why="the baseline poll")
        assert edgarwatch("--config", str(config), "status").returncode == 0
        edgar.throttle()
        wait_until(
            lambda: database_value(
                database, "SELECT value FROM state WHERE key = 'sec_blocked_until'"
            ),
            why="the 403 to be recorded",
        )
        status = edgarwatch("--config", str(config), "status")
        assert status.returncode == 1
        assert "SEC block" in status.stdout
        assert "IN FORCE" in status.stdout
        assert "Request Rate Threshold Exceeded" in status.stdout
        sent = len(edgar.requests())
        time.sleep(3)  # three poll intervals: the daemon sends nothing while paused
        assert len(edgar.requests()) == sent
        daemon.terminate()
    assert "stopping all SEC traffic" in daemon.output()


@pytest.mark.slow
def test_first_start_sends_nothing_old_and_downtime_filings_are_sent_after_restart(
    replay: tuple[Replay, str],
    slack_receiver: SlackReceiver,
    smtp_server: SmtpServer,
    tmp_path: Path,
) -> None:
    edgar, url = replay
    database = tmp_path / "edgarwatch.db"
    config = write_config(
        tmp_path / "config.toml",
        url,
        database,
        extra=channels(slack_receiver, smtp_server),
        watch="ciks = [855654]",
    )
    old = eight_k(IMMUNOGEN, ["1.01"])
    edgar.add(old)
    edgar.publish(old.accession, minutes_ago(15))
    with Daemon(config, tmp_path / "first.log") as daemon:
        wait_until(lambda: baseline_done(database), why="the baseline poll")
        started = datetime.now(UTC)
        wait_until(lambda: polls_since(edgar, started) >= 2, why="two polls")
        assert daemon.terminate()[0] == 0
    assert slack_receiver.requests == []
    assert smtp_server.messages == []
    assert (
        database_value(
            database, "SELECT count(*) FROM filings WHERE accession = ?", (old.accession,)
        )
        == 1
    )
    while_down = eight_k(IMMUNOGEN, ["1.01"])
    edgar.add(while_down)
    edgar.publish(while_down.accession)
    with Daemon(config, tmp_path / "second.log") as daemon:
        slack_receiver.wait_for(1, timeout=20)
        wait_until(lambda: smtp_server.messages, why="the email")
        daemon.terminate()
    assert len(slack_receiver.requests) == 1
    assert while_down.accession in json.dumps(slack_receiver.requests[0].json())


def test_it_speaks_the_systemd_notify_protocol(replay: tuple[Replay, str], tmp_path: Path) -> None:
    _, url = replay
    database = tmp_path / "edgarwatch.db"
    config = write_config(tmp_path / "config.toml", url, database, watch="ciks = [855654]")
    address = str(tmp_path / "notify.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(address)
    listener.settimeout(0.2)
    messages: list[str] = []

    def receive_until(needle: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(needle in m for m in messages):
                return
            try:
                messages.append(listener.recv(4096).decode())
            except TimeoutError:
                continue
        raise AssertionError(f"no {needle} in {messages}")

    env = {"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "2000000"}
    try:
        with Daemon(config, tmp_path / "daemon.log", env=env) as daemon:
            receive_until("READY=1")
            receive_until("WATCHDOG=1")
            receive_until("STATUS=poll ok")
            code, seconds = daemon.terminate()
            receive_until("STOPPING=1", timeout=2)
    finally:
        listener.close()
    assert code == 0
    assert seconds < 10
    ready = next(i for i, m in enumerate(messages) if "READY=1" in m)
    stopping = next(i for i, m in enumerate(messages) if "STOPPING=1" in m)
    assert ready < stopping


@pytest.mark.slow
def test_a_watchlist_change_takes_effect_within_one_poll_without_old_notifications(
    replay: tuple[Replay, str],
    slack_receiver: SlackReceiver,
    smtp_server: SmtpServer,
    tmp_path: Path,
) -> None:
    edgar, url = replay
    database = tmp_path / "edgarwatch.db"
    watch_file = tmp_path / "watchlist.txt"
    watch_file.write_text("IMGN  # ImmunoGen\n")
    config = write_config(
        tmp_path / "config.toml",
        url,
        database,
        extra=channels(slack_receiver, smtp_server),
        watch='file = "watchlist.txt"\ncatch_up_days = 30',
    )
    history = eight_k(APPLE, ["1.01", "9.01"])
    edgar.add(history)
    edgar.publish_history(history.accession, datetime.now(UTC) - timedelta(days=5))
    with Daemon(config, tmp_path / "daemon.log") as daemon:
        wait_until(lambda: baseline_done(database), why="the baseline poll")
        added = edgarwatch("--config", str(config), "watch", "add", "AAPL")
        assert added.returncode == 0, added.stderr
        assert "Apple Inc." in added.stdout
        changed = datetime.now(UTC)
        wait_until(
            lambda: database_value(
                database, "SELECT count(*) FROM filings WHERE accession = ?", (history.accession,)
            ),
            timeout=10,
            why="the new company's history",
        )
        assert polls_since(edgar, changed) <= 2  # within one poll (plus the one under way)
        fresh = eight_k(APPLE, ["1.01"])
        edgar.add(fresh)
        edgar.publish(fresh.accession)
        slack_receiver.wait_for(1, timeout=20)
        after = datetime.now(UTC)
        wait_until(lambda: polls_since(edgar, after) >= 2, why="two more polls")
        assert daemon.terminate()[0] == 0
    assert len(slack_receiver.requests) == 1
    payload = json.dumps(slack_receiver.requests[0].json())
    assert fresh.accession in payload
    assert history.accession not in payload
    unknown = edgarwatch("--config", str(config), "watch", "add", "APPL")
    assert unknown.returncode == 2
    assert "did you mean AAPL" in unknown.stderr
    listed = edgarwatch("--config", str(config), "watch", "list", "--json")
    assert {c["cik"] for c in json.loads(listed.stdout)["companies"]} == {855654, 320193}
    removed = edgarwatch("--config", str(config), "watch", "remove", "AAPL")
    assert removed.returncode == 0
    assert "AAPL" not in watch_file.read_text()


@pytest.mark.slow
def test_sigterm_during_an_edgar_outage_still_exits_within_ten_seconds(
    replay: tuple[Replay, str], tmp_path: Path
) -> None:
    edgar, url = replay
    database = tmp_path / "edgarwatch.db"
    config = write_config(tmp_path / "config.toml", url, database, watch="ciks = [855654]")
    with Daemon(config, tmp_path / "daemon.log") as daemon:
        wait_until(lambda: baseline_done(database), why="the baseline poll")
        edgar.fail("getcurrent", status=503, times=1000, retry_after="60")
        edgar.make_slow("getcurrent", 3.0)
        time.sleep(2.5)  # a poll is now waiting on a slow 503 or backing off
        code, seconds = daemon.terminate(timeout=15)
    assert code == 0
    assert seconds < 10, daemon.output()


@pytest.mark.slow
def test_a_slow_channel_holds_neither_polling_nor_the_other_channels(
    replay: tuple[Replay, str], smtp_server: SmtpServer, tmp_path: Path
) -> None:
    """Issue 8.3: a Slack taking 8 s per post with messages queued once held the polls
    and delayed email; polling never waits on delivery, and each channel has its own
    worker."""
    edgar, url = replay
    database = tmp_path / "edgarwatch.db"
    slow_slack = SlackReceiver(default=slow(8.0))
    with slow_slack:
        # One post per filing, unpaced, each taking 8 s; the client waits for it.
        slack = "timeout = 30\nmin_interval_seconds = 0\ncoalesce_above = 0\n"
        extra = channels(slow_slack, smtp_server).replace("timeout = 5\n", slack, 1)
        config = write_config(
            tmp_path / "config.toml", url, database, extra=extra, watch="ciks = [855654]"
        )
        deals = [eight_k(IMMUNOGEN, {"1.01": f"Agreement {n}."}) for n in range(6)]
        with Daemon(config, tmp_path / "daemon.log"):
            wait_until(lambda: baseline_done(database), why="the baseline poll")
            for deal in deals:
                edgar.publish(deal)
            published = time.monotonic()
            wait_until(lambda: len(smtp_server.messages) >= 6, timeout=15, why="six emails")
            email_delay = time.monotonic() - published
            polling_from = datetime.now(UTC)
            time.sleep(8)
            polls = polls_since(edgar, polling_from)
            slack_posts = len(slow_slack.requests)
    assert email_delay < 10  # not behind six 8-second Slack posts (48 s)
    assert polls >= 5  # a 1 s poll kept polling while Slack was slow
    assert slack_posts < 6  # Slack was indeed still busy with its queue


def test_a_sigterm_during_a_slow_dispatch_leaves_no_row_claimed(tmp_path: Path) -> None:
    """The row the dispatcher stopped at is given back, not left to a lease that a
    restarted container (PID 1 again) would wait out."""
    database = tmp_path / "edgarwatch.db"
    seed(database, 5)
    with (
        ReplayServer(Replay()) as edgar,
        SlackReceiver(default=slow(2.0, OK)) as slack,
    ):
        config = write_config(
            tmp_path / "config.toml",
            edgar.url,
            database,
            extra=f'[slack]\nwebhook_url = "{slack.url}"\n[notify]\ndispatch_seconds = 1\n',
            watch="ciks = [855654]",
        )
        with Daemon(config, tmp_path / "daemon.log") as daemon:
            slack.wait_for(1, timeout=30)  # a send is in flight
            code, seconds = daemon.terminate()
            assert code == 0, daemon.output()
            assert seconds < 10
    claimed = database_value(
        database, "SELECT count(*) FROM notifications WHERE claimed_by IS NOT NULL"
    )
    assert claimed == 0
    assert database_value(database, "SELECT count(*) FROM notifications WHERE status = 'pending'")
