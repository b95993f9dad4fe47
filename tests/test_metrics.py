"""Metrics: the instruments, and where the parts count (client, recorder, dispatcher).

Everything speaks its real protocol on loopback: the EDGAR replay and the Slack
receiver; what is exposed is parsed as Prometheus parses it.
"""

from __future__ import annotations

import os
import socket
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, ProcessCollector

from edgarwatch.daemon.discovery import Recorder
from edgarwatch.daemon.watchlist import Watchlist
from edgarwatch.edgar.client import EdgarBlocked, EdgarClient, EdgarHTTPError, EdgarUnavailable
from edgarwatch.edgar.paths import current_feed_path, tickers_path
from edgarwatch.edgar.settings import EdgarSettings
from edgarwatch.filing import Company, Filing
from edgarwatch.metrics import NO_METRICS, Metrics, ProcessMetrics, block_reason
from edgarwatch.notifiers.dispatch import Dispatcher
from edgarwatch.policy import NotifyPolicy, NotifySettings
from edgarwatch.replay.server import Replay
from edgarwatch.storage import Storage
from edgarwatch.storage.timefmt import utc_now
from tests.metrics_support import Scrape
from tests.servers.slack_receiver import INVALID_TOKEN, SERVER_ERROR, SlackReceiver
from tests.support import USER_AGENT
from tests.test_dispatch import queue, slack

# -- the instruments ----------------------------------------------------------------


def test_a_fresh_registry_names_every_series_by_the_conventions() -> None:
    exposed = Scrape.of(Metrics(("slack",)).registry)
    assert exposed.value("edgarwatch_build_info", version="0.1.0") == 1
    assert exposed.value("edgarwatch_cycles_total", cycle="poll", result="failed") == 0
    assert exposed.value("edgarwatch_edgar_blocks_total", reason="rate_threshold_exceeded") == 0
    assert exposed.value("edgarwatch_notifications_total", channel="slack", result="dead") == 0
    assert exposed.value("edgarwatch_last_successful_poll_timestamp_seconds") == 0
    assert exposed.value("edgarwatch_edgar_block_active") == 0
    assert "process_resident_memory_bytes" in exposed.names() or not Path("/proc/stat").exists()
    assert "python_info" in exposed.names()
    assert not any(name.endswith("_created") for name in exposed.names())
    for name in exposed.names():
        assert name.startswith(("edgarwatch_", "process_", "python_")), name
        # promtool check metrics: no abbreviated unit as a word ("sec" reads as seconds)
        assert not set(name.split("_")) & ABBREVIATED_UNITS, name


ABBREVIATED_UNITS = {"s", "ms", "us", "ns", "sec", "secs", "b", "kb", "mb", "gb", "m", "h", "d"}


def test_process_metrics_survive_systemds_procsubset_pid(tmp_path: Path) -> None:
    """The unit's ProcSubset=pid leaves /proc/PID and hides /proc/stat (its boot time)."""
    if not Path(f"/proc/{os.getpid()}/stat").exists():
        pytest.skip("no /proc here")
    (tmp_path / str(os.getpid())).symlink_to(f"/proc/{os.getpid()}")
    plain, ours = CollectorRegistry(), CollectorRegistry()
    ProcessCollector(pid=lambda: os.getpid(), proc=str(tmp_path), registry=plain)
    ProcessMetrics(pid=lambda: os.getpid(), proc=str(tmp_path), registry=ours)
    assert Scrape.of(plain).value("process_resident_memory_bytes") is None  # all gone
    exposed = Scrape.of(ours)
    assert (exposed.value("process_resident_memory_bytes") or 0) > 1_000_000
    assert (exposed.value("process_open_fds") or 0) > 0
    started = exposed.value("process_start_time_seconds")
    assert started is not None
    assert time.time() - 3600 * 24 * 365 < started <= time.time()


def test_two_daemons_in_one_process_keep_their_own_counts() -> None:
    first, second = Metrics(), Metrics()
    first.cycle("poll", "ok")
    assert Scrape.of(first.registry).value("edgarwatch_cycles_total", cycle="poll", result="ok")
    assert (
        Scrape.of(second.registry).value("edgarwatch_cycles_total", cycle="poll", result="ok") == 0
    )


def test_it_counts_one_sec_block_however_many_answers_in_flight_extend_it() -> None:
    metrics = Metrics()
    until = datetime.now(UTC) + timedelta(minutes=10)
    metrics.sec_blocked(until, "Request Rate Threshold Exceeded")
    metrics.sec_blocked(until + timedelta(seconds=1), "Request Rate Threshold Exceeded")
    exposed = Scrape.of(metrics.registry)
    assert exposed.total("edgarwatch_edgar_blocks_total") == 1
    metrics._blocked_until = datetime.now(UTC) - timedelta(seconds=1)  # that block ended
    metrics.sec_blocked(until, "HTTP 429 Too Many Requests")
    exposed = Scrape.of(metrics.registry)
    assert exposed.value("edgarwatch_edgar_blocks_total", reason="too_many_requests") == 1


def test_block_reasons_are_a_small_fixed_set_whatever_the_sec_says() -> None:
    assert block_reason("Request Rate Threshold Exceeded") == "rate_threshold_exceeded"
    assert block_reason("Undeclared Automated Tool") == "undeclared_automated_tool"
    assert block_reason("HTTP 429 Too Many Requests, Retry-After 600 s") == "too_many_requests"
    assert block_reason("HTTP 403 'Access Denied <script>'") == "forbidden"


def test_the_last_poll_gauge_never_goes_back_to_an_older_time() -> None:
    metrics = Metrics()
    newer = datetime.now(UTC)
    metrics.poll_succeeded(newer)
    metrics.poll_succeeded(newer - timedelta(minutes=5))  # a restart's remembered time, late
    gauge = Scrape.of(metrics.registry).value("edgarwatch_last_successful_poll_timestamp_seconds")
    assert gauge == pytest.approx(newer.timestamp())


def test_the_default_instruments_record_nothing() -> None:
    NO_METRICS.edgar_request("poll", "200")
    NO_METRICS.notification("slack", "sent", 1.0)
    NO_METRICS.watch_sec_block(lambda: True)
    assert not hasattr(NO_METRICS, "registry")


# -- where the parts count ------------------------------------------------------------


def client_for(url: str, metrics: Metrics, source: str) -> EdgarClient:
    settings = EdgarSettings(
        user_agent=USER_AGENT,
        base_url=url,
        data_url=url,
        max_retries=1,
        read_timeout=2.0,
        requests_per_second=10,
    )
    return EdgarClient(settings, source=source, metrics=metrics)


def test_the_client_counts_every_exchange_by_source_and_status(edgar: tuple[Replay, str]) -> None:
    replay, url = edgar
    metrics = Metrics()
    client = client_for(url, metrics, "sweep")
    client.get(tickers_path())
    replay.fail("company_tickers", status=503, times=2)
    with pytest.raises(EdgarHTTPError):
        client.get(tickers_path())  # one retry: two 503s
    with pytest.raises(EdgarHTTPError):
        client.get("/Archives/edgar/data/1/000000000000000000/none.htm")
    exposed = Scrape.of(metrics.registry)
    assert exposed.value("edgarwatch_edgar_requests_total", source="sweep", status="200") == 1
    assert exposed.value("edgarwatch_edgar_requests_total", source="sweep", status="503") == 2
    assert exposed.value("edgarwatch_edgar_requests_total", source="sweep", status="404") == 1


def test_a_request_without_an_answer_counts_as_an_error() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"  # nobody listens: refused
    metrics = Metrics()
    with pytest.raises(EdgarUnavailable):
        client_for(url, metrics, "documents").get(tickers_path())
    exposed = Scrape.of(metrics.registry)
    assert exposed.value("edgarwatch_edgar_requests_total", source="documents", status="error") == 2


def test_a_403_is_one_block_and_the_block_gauge_follows_the_throttle(
    edgar: tuple[Replay, str],
) -> None:
    replay, url = edgar
    metrics = Metrics()
    client = client_for(url, metrics, "poll")
    client.throttle.on_block = metrics.sec_blocked
    metrics.watch_sec_block(lambda: client.throttle.active)
    replay.throttle()
    with pytest.raises(EdgarBlocked):
        client.get(current_feed_path())
    exposed = Scrape.of(metrics.registry)
    assert exposed.value("edgarwatch_edgar_blocks_total", reason="rate_threshold_exceeded") == 1
    assert exposed.value("edgarwatch_edgar_requests_total", source="poll", status="403") == 1
    assert exposed.value("edgarwatch_edgar_block_active") == 1
    client.throttle.until = datetime.now(UTC) - timedelta(seconds=1)
    assert Scrape.of(metrics.registry).value("edgarwatch_edgar_block_active") == 0


def filing(accession: str, accepted_seconds_ago: float | None) -> Filing:
    accepted = None
    if accepted_seconds_ago is not None:
        accepted = datetime.now(UTC) - timedelta(seconds=accepted_seconds_ago)
    return Filing(
        accession,
        "8-K",
        (Company(855654, "IMMUNOGEN INC"),),
        f"https://www.sec.gov/Archives/edgar/data/855654/x/{accession}-index.htm",
        accepted_at=accepted,
        items=("1.01",),
    )


def test_the_recorder_counts_filings_by_source_and_policy_and_times_the_news(
    tmp_path: Path,
) -> None:
    storage = Storage.open(tmp_path / "edgarwatch.db")
    metrics = Metrics()
    recorder = Recorder(storage, Watchlist(False, frozenset({855654})), metrics=metrics)
    recorder.record([filing("0001104659-26-000001", 42)], source="feed", policy=NotifyPolicy.NEWS)
    recorder.record([filing("0001104659-26-000001", 42)], source="sweep")  # known: not again
    recorder.record(
        [filing("0001104659-26-000002", 7200)], source="catch-up", policy=NotifyPolicy.HISTORY
    )
    exposed = Scrape.of(metrics.registry)
    assert exposed.value("edgarwatch_filings_recorded_total", source="feed", policy="news") == 1
    assert exposed.total("edgarwatch_filings_recorded_total", source="sweep") == 0
    assert (
        exposed.value("edgarwatch_filings_recorded_total", source="catch-up", policy="history") == 1
    )
    assert exposed.value("edgarwatch_detection_lag_seconds_count", source="feed") == 1
    assert exposed.value("edgarwatch_detection_lag_seconds_bucket", source="feed", le="30.0") == 0
    assert exposed.value("edgarwatch_detection_lag_seconds_bucket", source="feed", le="60.0") == 1
    assert exposed.value("edgarwatch_detection_lag_seconds_count", source="catch-up") is None
    storage.close()


def test_the_dispatcher_counts_sent_retry_and_dead_per_channel(
    tmp_path: Path, slack_receiver: SlackReceiver
) -> None:
    storage = Storage.open(tmp_path / "edgarwatch.db")
    queue(storage, ["slack"], count=3)
    accepted = (utc_now() - timedelta(seconds=100)).isoformat()
    storage.connections.db.execute("UPDATE filings SET accepted_at = ?", [accepted])
    storage.connections.db.conn.commit()
    metrics = Metrics(("slack",))

    def dispatcher() -> Dispatcher:
        notifier = slack("slack", slack_receiver, min_interval=0)
        return Dispatcher(storage, {"slack": notifier}, NotifySettings(), "t:1", metrics=metrics)

    slack_receiver.reply(INVALID_TOKEN, SERVER_ERROR)
    dispatcher().dispatch()  # dead, the channel goes on; 500: retry later, the channel waits
    storage.connections.db.execute("UPDATE notifications SET next_attempt_at = created_at")
    storage.connections.db.conn.commit()
    dispatcher().dispatch()  # the retried row and the third are sent
    exposed = Scrape.of(metrics.registry)
    assert exposed.value("edgarwatch_notifications_total", channel="slack", result="dead") == 1
    assert exposed.value("edgarwatch_notifications_total", channel="slack", result="retry") == 1
    assert exposed.value("edgarwatch_notifications_total", channel="slack", result="sent") == 2
    latency = "edgarwatch_notification_latency_seconds_bucket"
    assert exposed.value(latency, channel="slack", le="60.0") == 0
    assert exposed.value(latency, channel="slack", le="120.0") == 2
    storage.close()
