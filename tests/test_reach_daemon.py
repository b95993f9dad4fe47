"""`edgarwatch run` with `[[digest]]` and `[alarms]`: the scheduler's digest and alarm jobs
in the real process, delivering to a loopback Slack, across a restart."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from edgarwatch.digest import last_due
from edgarwatch.edgar.agreements import extract_agreements
from edgarwatch.filing import EASTERN, Company, Filing, FilingReport, Item
from edgarwatch.policy import NotifyPolicy
from edgarwatch.replay.server import Replay, ReplayServer
from edgarwatch.storage import SecBlock, Storage
from tests.process import Daemon, wait_until
from tests.servers.slack_receiver import SlackReceiver
from tests.support import write_config

SICOR = (
    "On April 30, 2007, ImmunoGen, Inc. entered into a manufacturing agreement with Società "
    "Italiana Corticosteroidi S.r.l (SICOR). ImmunoGen will pay SICOR five million Euros for "
    "these cGMP batches of DMx through completion of the contract in early 2008."
)


def headers(slack: SlackReceiver) -> list[str]:
    return [str(r.json()["blocks"][0]["text"]["text"]) for r in slack.requests]


def config(tmp_path: Path, url: str, slack: SlackReceiver, database: Path, extra: str) -> Path:
    return write_config(
        tmp_path / "config.toml",
        url,
        database,
        watch="ciks = [855654]",
        extra=f"""
[slack]
webhook_url = "{slack.url}"
timeout = 5
min_interval_seconds = 0

[notify]
dispatch_seconds = 1
items = ["6.01"]  # no filing notifies here: only the digest and the alarms speak
{extra}
""",
    )


@pytest.fixture
def edgar() -> Iterator[tuple[Replay, str]]:
    replay = Replay()
    with ReplayServer(replay) as server:
        yield replay, server.url


@pytest.mark.slow
def test_the_daemon_sends_the_digest_it_owes_at_start_once_across_a_restart(
    edgar: tuple[Replay, str], slack_receiver: SlackReceiver, tmp_path: Path
) -> None:
    _, url = edgar
    database = tmp_path / "edgarwatch.db"
    now = datetime.now(UTC)
    at = (now - timedelta(minutes=2)).astimezone(EASTERN)
    due = last_due(at.time().replace(second=0, microsecond=0), now)
    storage = Storage.open(database)  # yesterday's digest was sent; a filing came in since
    storage.digests.create(
        "slack", day=(due - timedelta(days=1)).astimezone(EASTERN).date(),
        due_at=due - timedelta(days=1), since=None, outcome="start", accessions=(), message=None,
    )  # fmt: skip
    filing = Filing(
        "0001104659-07-035757",
        "8-K",
        (Company(855654, "IMMUNOGEN INC"),),
        "https://www.sec.gov/Archives/edgar/data/855654/000110465907035757/0001104659-07-035757-index.htm",
        accepted_at=datetime(2007, 5, 4, 16, 5, 33, tzinfo=EASTERN),
        items=("1.01",),
    )
    storage.filings.record(filing, source="feed", policy=NotifyPolicy.NEWS)
    deal = extract_agreements("1.01", SICOR, registrant="IMMUNOGEN INC", exhibits=())
    item = Item("1.01", "Entry into a Material Definitive Agreement", SICOR, agreements=deal)
    storage.filings.record_enrichment(FilingReport(filing, items=(item,)), [])
    storage.close()
    path = config(
        tmp_path,
        url,
        slack_receiver,
        database,
        f'[[digest]]\nchannel = "slack"\ntime = "{at:%H:%M}"\n',
    )
    with Daemon(path, tmp_path / "daemon.log") as daemon:
        wait_until(lambda: slack_receiver.requests, timeout=45, why="the digest owed at start")
        code, _ = daemon.terminate()
        assert code == 0, daemon.output()
    assert len(slack_receiver.requests) == 1
    digest = slack_receiver.requests[0].json()
    text = json.dumps(digest, ensure_ascii=False)
    assert "edgarwatch digest for" in digest["blocks"][0]["text"]["text"]
    assert "1 new filing" in digest["blocks"][0]["text"]["text"]
    assert "IMMUNOGEN INC (CIK 855654)" in text
    assert "1.01 Entry into a Material Definitive Agreement" in text
    assert "Manufacturing agreement with Società Italiana Corticosteroidi S.r.l (SICOR)" in text
    with Daemon(path, tmp_path / "daemon2.log") as again:
        wait_until(lambda: "edgarwatch started" in again.output(), why="the restart")
        time.sleep(6)  # the digest job ran (3 s after start) and found nothing owed
        code, _ = again.terminate()
        assert code == 0, again.output()
    assert len(slack_receiver.requests) == 1


@pytest.mark.slow
def test_the_daemon_raises_an_alarm_once_and_clears_it_after_a_restart(
    edgar: tuple[Replay, str], slack_receiver: SlackReceiver, tmp_path: Path
) -> None:
    _, url = edgar
    database = tmp_path / "edgarwatch.db"
    storage = Storage.open(database)
    until = datetime.now(UTC) + timedelta(seconds=12)
    storage.state.save_sec_block(SecBlock(until, "HTTP 403: Request Rate Threshold Exceeded"))
    storage.close()
    path = config(tmp_path, url, slack_receiver, database, '[alarms]\nchannel = "slack"\n')
    with Daemon(path, tmp_path / "daemon.log") as daemon:
        wait_until(lambda: slack_receiver.requests, timeout=20, why="the alarm")
        code, _ = daemon.terminate()
        assert code == 0, daemon.output()
    assert headers(slack_receiver) == ["edgarwatch ALARM: SEC rate-limit block"]
    assert "ALARM raised: SEC rate-limit block" in daemon.output()
    wait_until(lambda: datetime.now(UTC) > until, timeout=20, why="the pause to end")
    with Daemon(path, tmp_path / "daemon2.log") as again:
        wait_until(lambda: len(slack_receiver.requests) >= 2, timeout=20, why="the clearing")
        code, _ = again.terminate()
        assert code == 0, again.output()
    assert headers(slack_receiver) == [
        "edgarwatch ALARM: SEC rate-limit block",
        "edgarwatch cleared: SEC rate-limit block",
    ]
