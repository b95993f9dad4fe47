"""Metrics and health: the instruments, the database gauges, the endpoint and its key,
and a real `edgarwatch run` scraped over HTTP while it finds a filing and notifies.

Everything speaks its real protocol on loopback: the EDGAR replay, the Slack
receiver, HTTP to the endpoint (parsed as Prometheus parses it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, ProcessCollector

from edgarwatch.config import ConfigError, HttpSettings, Settings, from_mapping
from edgarwatch.daemon.discovery import Recorder
from edgarwatch.daemon.http import DatabaseCollector, HttpEndpoint, _Handler
from edgarwatch.daemon.watchlist import Watchlist
from edgarwatch.edgar.client import EdgarBlocked, EdgarClient, EdgarHTTPError, EdgarUnavailable
from edgarwatch.edgar.paths import current_feed_path, tickers_path
from edgarwatch.edgar.settings import EdgarSettings
from edgarwatch.filing import Company, Filing
from edgarwatch.metrics import NO_METRICS, Metrics, ProcessMetrics, block_reason
from edgarwatch.notifiers.dispatch import Dispatcher
from edgarwatch.notifiers.message import Message
from edgarwatch.policy import NotifyPolicy, NotifySettings
from edgarwatch.replay.server import Replay, ReplayServer
from edgarwatch.storage import Outgoing, Storage
from edgarwatch.storage.timefmt import utc_now
from tests.metrics_support import Scrape, free_port, get, scrape
from tests.process import Daemon, wait_until
from tests.servers.slack_receiver import INVALID_TOKEN, SERVER_ERROR, SlackReceiver
from tests.support import (
    REPO,
    USER_AGENT,
    company,
    eight_k,
    settings_for,
    tickers_json,
    write_config,
)
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


def test_digests_and_alarms_are_counted_apart_from_notifications(
    tmp_path: Path, slack_receiver: SlackReceiver
) -> None:
    storage = Storage.open(tmp_path / "edgarwatch.db")
    digest = Message(kind="digest", title="a digest", summary="what was filed")
    alarm = Message(kind="alarm", title="an alarm", summary="what happened")
    for key, message in (("digest:2026-03-10", digest), ("alarm:sec-block", alarm)):
        outgoing = Outgoing(key, message.kind, message.title, message.to_json())
        assert storage.messages.queue("slack", outgoing)
    metrics = Metrics(("slack",))
    notifier = slack("slack", slack_receiver, min_interval=0)
    dispatcher = Dispatcher(storage, {"slack": notifier}, NotifySettings(), "t:1", metrics=metrics)
    slack_receiver.reply(INVALID_TOKEN)
    dispatcher.dispatch()
    exposed = Scrape.of(metrics.registry)
    assert exposed.total("edgarwatch_messages_total", channel="slack", result="dead") == 1
    assert exposed.total("edgarwatch_messages_total", channel="slack", result="sent") == 1
    assert exposed.total("edgarwatch_notifications_total") == 0
    storage.close()


# -- what lives in the database ------------------------------------------------------


def test_the_database_gauges_read_each_channels_backlog_at_scrape_time(tmp_path: Path) -> None:
    database = tmp_path / "edgarwatch.db"
    storage = Storage.open(database)
    queue(storage, ["slack", "email"], count=2)
    storage.connections.db.execute(
        "UPDATE notifications SET created_at = ? WHERE channel = 'slack'",
        [(utc_now() - timedelta(minutes=10)).isoformat()],
    )
    storage.connections.db.execute(
        "UPDATE notifications SET status = 'dead' WHERE channel = 'email' AND rowid = "
        "(SELECT min(rowid) FROM notifications WHERE channel = 'email')"
    )
    storage.connections.db.conn.commit()
    registry = CollectorRegistry()
    registry.register(DatabaseCollector(database, ["slack", "email", "teams"]))
    exposed = Scrape.of(registry)
    assert exposed.value("edgarwatch_outbox_pending", channel="slack") == 2
    assert exposed.value("edgarwatch_outbox_pending", channel="email") == 1
    assert exposed.value("edgarwatch_outbox_pending", channel="teams") == 0
    age = exposed.value("edgarwatch_outbox_oldest_pending_age_seconds", channel="slack")
    assert age is not None
    assert 590 < age < 700
    assert exposed.value("edgarwatch_outbox_oldest_pending_age_seconds", channel="teams") == 0
    assert exposed.value("edgarwatch_notifications_dead", channel="email") == 1
    assert exposed.value("edgarwatch_notifications_dead", channel="slack") == 0
    assert exposed.value("edgarwatch_filings_awaiting_documents") == 0
    storage.close()


def test_a_scrape_never_writes_the_database_nor_creates_it(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    collector = DatabaseCollector(missing, ["slack"])
    assert list(collector.collect()) == []  # left out, no exception
    assert not missing.exists()
    database = tmp_path / "edgarwatch.db"
    Storage.open(database).close()
    before = database.stat().st_mtime_ns
    list(DatabaseCollector(database, ["slack"]).collect())
    assert database.stat().st_mtime_ns == before


# -- the key ---------------------------------------------------------------------------


def http_settings(**http: object) -> HttpSettings:
    document = {"edgar": {"user_agent": USER_AGENT}, "http": http}
    return from_mapping(document, environ={}).http


def test_the_endpoint_is_off_unless_listen_is_set() -> None:
    assert http_settings().listen == ""
    assert http_settings(listen="127.0.0.1:9797").address == ("127.0.0.1", 9797)
    assert http_settings(listen="[::1]:9797").address == ("::1", 9797)
    assert http_settings(listen="localhost:9797").address == ("localhost", 9797)


@pytest.mark.parametrize(
    ("listen", "problem"),
    [
        ("0.0.0.0:9797", "0.0.0.0 is not a loopback address"),
        ("192.168.1.5:9797", "is not a loopback address"),
        ("[::]:9797", ":: is not a loopback address"),
        (":9797", "every interface"),
        ("9797", "is not HOST:PORT"),
        ("127.0.0.1", "is not HOST:PORT"),
        ("::1:9797", "put an IPv6 address in brackets: [::1]:9797"),
        ("127.0.0.1:70000", "not between 1 and 65535"),
        ("metrics host:9797", "neither an IP address nor a host name"),
    ],
)
def test_it_refuses_a_listen_address_naming_the_key(listen: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        http_settings(listen=listen)
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith("http.listen: ")
    assert problem in caught.value.problems[0]


def test_a_remote_address_needs_allow_remote() -> None:
    settings = http_settings(listen="0.0.0.0:9797", allow_remote=True)
    assert settings.address == ("0.0.0.0", 9797)
    with pytest.raises(ConfigError, match=r"http\.nonsense: unknown key"):
        http_settings(listen="127.0.0.1:9797", nonsense=1)


# -- the endpoint ------------------------------------------------------------------------


def endpoint_settings(tmp_path: Path, listen: str) -> Settings:
    return settings_for("http://127.0.0.1:9", tmp_path / "edgarwatch.db", http={"listen": listen})


def serving(endpoint: HttpEndpoint, base: str) -> None:
    endpoint.start()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            get(f"{base}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing served on {base}")


def test_it_serves_metrics_and_health_and_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    settings = endpoint_settings(tmp_path, f"127.0.0.1:{port}")
    Storage.open(settings.storage.path).close()
    endpoint = HttpEndpoint(settings)
    base = f"http://127.0.0.1:{port}"
    serving(endpoint, base)
    try:
        exposed = scrape(f"{base}/metrics")
        assert exposed.value("edgarwatch_filings_awaiting_documents") == 0
        status, body, headers = get(f"{base}/healthz")
        assert status == 503  # no poll yet
        assert headers["Content-Type"] == "application/json"
        assert json.loads(body) == {"healthy": False, "problems": ["no successful poll yet"]}
        storage = Storage.open(settings.storage.path)
        storage.state.poll_succeeded(utc_now())
        storage.close()
        assert get(f"{base}/healthz")[0] == 503  # the answer of a moment ago, reused
        monkeypatch.setattr("edgarwatch.daemon.http.HEALTH_REUSE_SECONDS", 0.0)
        status, body, _ = get(f"{base}/healthz")
        assert (status, json.loads(body)) == (200, {"healthy": True, "problems": []})
        assert get(f"{base}/healthz", method="HEAD")[:2] == (200, "")
        assert get(f"{base}/")[0] == 404
        assert get(f"{base}/metrics", method="POST")[0] == 405
    finally:
        endpoint.stop()


def test_it_serves_on_ipv6_loopback(tmp_path: Path) -> None:
    try:
        port = free_port("::1")
    except OSError:
        pytest.skip("no IPv6 loopback here")
    settings = endpoint_settings(tmp_path, f"[::1]:{port}")
    endpoint = HttpEndpoint(settings)
    serving(endpoint, f"http://[::1]:{port}")
    try:
        status, body, _ = get(f"http://[::1]:{port}/healthz")
        assert status == 503
        assert "no database" in body  # no daemon has made one: unhealthy, and why
        assert "edgarwatch_build_info" in get(f"http://[::1]:{port}/metrics")[1]
    finally:
        endpoint.stop()


def test_a_client_that_says_nothing_holds_neither_requests_nor_the_stop(tmp_path: Path) -> None:
    port = free_port()
    endpoint = HttpEndpoint(endpoint_settings(tmp_path, f"127.0.0.1:{port}"))
    serving(endpoint, f"http://127.0.0.1:{port}")
    silent = socket.create_connection(("127.0.0.1", port))
    try:
        assert get(f"http://127.0.0.1:{port}/metrics", timeout=2)[0] == 200
        started = time.monotonic()
        endpoint.stop()
        assert time.monotonic() - started < 1.0
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
    finally:
        silent.close()


def test_a_timed_out_client_and_a_failing_scrape_are_logged_not_printed(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(_Handler, "timeout", 0.2)
    port = free_port()
    endpoint = HttpEndpoint(endpoint_settings(tmp_path, f"127.0.0.1:{port}"))
    serving(endpoint, f"http://127.0.0.1:{port}")
    try:
        with socket.create_connection(("127.0.0.1", port)) as silent:
            assert silent.recv(100) == b""  # hung up on after the timeout
        monkeypatch.setattr(DatabaseCollector, "collect", _broken)
        status, body, _ = get(f"http://127.0.0.1:{port}/metrics")
        assert status == 500
        assert "see the daemon's log" in body
        assert get(f"http://127.0.0.1:{port}/healthz")[0] == 503  # still serving
    finally:
        endpoint.stop()
    assert "Traceback" not in capfd.readouterr().err
    failed = [r for r in caplog.records if r.getMessage() == "/metrics failed"]
    assert failed
    assert failed[0].exc_info is not None


def _broken(self: DatabaseCollector) -> list[object]:
    raise RuntimeError("a bug in a collector")


def test_a_port_already_taken_is_said_and_tried_again_without_stopping_the_daemon(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("edgarwatch.daemon.http.BIND_RETRY_SECONDS", 0.2)
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    endpoint = HttpEndpoint(endpoint_settings(tmp_path, f"127.0.0.1:{port}"))
    endpoint.start()
    try:
        deadline = time.monotonic() + 5
        while not any("cannot serve" in r.getMessage() for r in caplog.records):
            assert time.monotonic() < deadline, "the bind failure was not said"
            time.sleep(0.05)
        taken.close()  # the other process goes away: the endpoint comes up
        serving(endpoint, f"http://127.0.0.1:{port}")
        errors = [r for r in caplog.records if "cannot serve" in r.getMessage()]
        assert len(errors) == 1  # said once, not at every retry
        assert errors[0].levelname == "ERROR"
    finally:
        taken.close()
        endpoint.stop()
    assert not [t for t in threading.enumerate() if t.name == "http"]


# -- the alerting rules ------------------------------------------------------------------

RULES = REPO / "deploy" / "prometheus"


def test_the_readme_shows_the_shipped_alerting_rules() -> None:
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## Metrics and health") :]
    shown = re.findall(r"```yaml\n(.*?)```", section, re.S)[1]
    shipped = (RULES / "edgarwatch.rules.yml").read_text()
    assert shipped.endswith(shown)
    assert shipped[: -len(shown)].strip().startswith("#")  # only a comment before it


PROMTOOL = shutil.which("promtool")


@pytest.mark.skipif(PROMTOOL is None, reason="promtool (Prometheus) is not installed")
def test_the_alerting_rules_fire_when_they_should() -> None:
    assert PROMTOOL is not None
    result = subprocess.run(
        [PROMTOOL, "test", "rules", "edgarwatch.rules.test.yml"],
        cwd=RULES,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# -- the daemon, scraped ---------------------------------------------------------------

IMMUNOGEN = company(855654, "IMMUNOGEN INC", ticker="IMGN")


@pytest.mark.slow
def test_a_running_daemon_is_scraped_and_its_health_follows_status(
    slack_receiver: SlackReceiver, tmp_path: Path
) -> None:
    edgar = Replay(tickers=tickers_json([IMMUNOGEN]))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    extra = f"""
[slack]
webhook_url = "{slack_receiver.url}"
timeout = 5
min_interval_seconds = 0

[notify]
dispatch_seconds = 1

[http]
listen = "127.0.0.1:{port}"
"""
    deal = eight_k(IMMUNOGEN, {"1.01": "ImmunoGen entered into a manufacturing agreement."})
    refused = eight_k(IMMUNOGEN, {"1.01": "ImmunoGen entered into a licence agreement."})
    with ReplayServer(edgar) as server:
        database = tmp_path / "edgarwatch.db"
        config = write_config(
            tmp_path / "config.toml", server.url, database, extra, "ciks = [855654]"
        )
        with Daemon(config, tmp_path / "daemon.log") as daemon:
            wait_until(lambda: _healthz(base)[0] == 200, why="a healthy /healthz")
            edgar.publish(deal)
            slack_receiver.wait_for(1, timeout=20)
            exposed = wait_until(
                lambda: _sent(scrape(f"{base}/metrics"), 1), why="the notification counted"
            )
            assert exposed.value("edgarwatch_cycles_total", cycle="poll", result="ok") >= 1
            assert exposed.value("edgarwatch_cycles_total", cycle="poll", result="failed") == 0
            assert exposed.total("edgarwatch_edgar_requests_total", source="poll", status="200")
            assert exposed.total("edgarwatch_edgar_requests_total", source="documents") >= 1
            # Found by whichever source asked first: the feed poll, or (when its turn came
            # first on a busy machine) full-text search, the sweep or the start-up comparison
            # of submissions JSON, which may read the company just after the publication.
            recorded = {
                sample.labels["source"]: sample.value
                for sample in exposed.samples
                if sample.name == "edgarwatch_filings_recorded_total"
                and sample.labels["policy"] == "news"
            }
            assert sorted(recorded.values()) == [1], recorded
            (source,) = recorded
            assert source in {"feed", "efts", "sweep", "submissions"}, source
            assert exposed.value("edgarwatch_detection_lag_seconds_count", source=source) == 1
            assert (
                exposed.value("edgarwatch_notification_latency_seconds_count", channel="slack") == 1
            )
            last_poll = exposed.value("edgarwatch_last_successful_poll_timestamp_seconds")
            assert last_poll is not None
            assert abs(time.time() - last_poll) < 10
            assert exposed.value("edgarwatch_outbox_pending", channel="slack") == 0
            assert exposed.value("edgarwatch_notifications_dead", channel="slack") == 0
            assert exposed.value("edgarwatch_edgar_block_active") == 0
            assert exposed.value("edgarwatch_build_info", version="0.1.0") == 1
            assert _healthz(base) == (200, {"healthy": True, "problems": []})
            # Slack refuses the next one for good: dead, and /healthz says so as status does.
            slack_receiver.reply(INVALID_TOKEN)
            edgar.publish(refused)
            health = wait_until(
                lambda: (answer := _healthz(base))[0] == 503 and answer[1], why="a 503"
            )
            assert health["healthy"] is False
            assert any("dead notification" in problem for problem in health["problems"])
            exposed = scrape(f"{base}/metrics")
            assert (
                exposed.value("edgarwatch_notifications_total", channel="slack", result="dead") == 1
            )
            assert exposed.value("edgarwatch_notifications_dead", channel="slack") == 1
            code, seconds = daemon.terminate()
            assert code == 0, daemon.output()
            assert seconds < 10
    assert "serving /metrics and /healthz on http://127.0.0.1:" in daemon.output()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def _healthz(base: str) -> tuple[int, dict[str, object]]:
    try:
        status, body, _ = get(f"{base}/healthz", timeout=2)
    except OSError:
        return 0, {}
    return status, json.loads(body)


def _sent(exposed: Scrape, count: int) -> Scrape | None:
    sent = exposed.value("edgarwatch_notifications_total", channel="slack", result="sent")
    return exposed if sent == count else None
