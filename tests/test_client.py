"""The EDGAR client against the replay on loopback: identity, rate, retries, 403, caps."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
import threading
import time
from collections import deque
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from edgarwatch.edgar.client import (
    EdgarBlocked,
    EdgarClient,
    EdgarDeferred,
    EdgarHTTPError,
    EdgarUnavailable,
    ResponseTooLarge,
    Throttle,
)
from edgarwatch.edgar.paths import ForeignURLError, current_feed_path, tickers_path
from edgarwatch.edgar.ratelimit import EFFECTIVE_CEILING, RateLimiter, SharedRateLimiter
from edgarwatch.edgar.settings import EdgarSettings
from edgarwatch.edgar.turns import POLL, READ, Turns
from edgarwatch.replay.server import Replay, ReplayServer
from tests.process import edgarwatch
from tests.support import USER_AGENT, write_config


def client_for(url: str, **overrides: object) -> EdgarClient:
    fields = {
        "user_agent": USER_AGENT,
        "base_url": url,
        "data_url": url,
        "requests_per_second": 10.0,
        "max_retries": 3,
        "read_timeout": 2.0,
    } | overrides
    return EdgarClient(EdgarSettings(**fields))  # type: ignore[arg-type]


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_it_never_lets_more_than_the_rate_start_in_any_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(5, clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(40):
        limiter.acquire()
        starts.append(clock.now)
        clock.now += 0.013  # callers arrive faster than the rate
    for i, start in enumerate(starts):
        in_window = [s for s in starts[i:] if s - start < 1.0 - 1e-5]
        assert len(in_window) <= 5
    assert starts[-1] >= 7.0  # 40 requests at 5/s take at least 7 s


def test_starts_leave_a_margin_for_the_jitter_of_arrivals() -> None:
    """Six arrivals within a second at 5/s would need 50 ms of jitter between a start
    and its arrival: starts are 0.21 s apart, not 0.2."""
    clock = FakeClock()
    limiter = RateLimiter(5, clock=clock, sleep=clock.sleep)
    starts = [limiter.acquire() for _ in range(26)]
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) == pytest.approx(0.21)
    assert starts[5] - starts[0] > 1.0 + 0.049  # six starts span over a second and 49 ms
    assert starts[25] - starts[0] > 5.0  # 26 never fit in five seconds


def test_it_holds_the_rate_across_threads() -> None:
    limiter = RateLimiter(20)
    starts: deque[float] = deque()
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(8):
            granted = limiter.acquire()
            with lock:
                starts.append(granted)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(starts)
    for i, start in enumerate(ordered):
        assert len([s for s in ordered[i:] if s - start < 0.999]) <= 20


def test_the_poll_takes_the_next_free_slot_before_readers_waiting_longer() -> None:
    """During a burst the readers keep every slot busy: the poll must not queue behind
    them (issue 8.14: the feed went unpolled for 11 s)."""
    limiter, turns = RateLimiter(2), Turns()  # a slot every 0.5 s
    limiter.acquire()
    order: list[str] = []

    def take(name: str, priority: int) -> None:
        with turns.turn(priority):
            limiter.acquire()
            order.append(name)

    readers = [threading.Thread(target=take, args=(f"reader {n}", READ)) for n in range(3)]
    for thread in readers:
        thread.start()
    time.sleep(0.1)  # reader 0 holds the turn, waiting for its slot; 1 and 2 queue
    poll = threading.Thread(target=take, args=("poll", POLL))
    poll.start()
    for thread in [*readers, poll]:
        thread.join(timeout=5)
    assert order == ["reader 0", "poll", "reader 1", "reader 2"]


def test_it_sends_the_declared_user_agent_on_every_request(edgar: tuple[Replay, str]) -> None:
    replay, url = edgar
    client = client_for(url)
    client.get(tickers_path())
    client.get(current_feed_path())
    assert [r.user_agent for r in replay.requests()] == [USER_AGENT, USER_AGENT]


def test_it_retries_503_honouring_retry_after(edgar: tuple[Replay, str]) -> None:
    replay, url = edgar
    replay.fail("company_tickers", status=503, times=2, retry_after="1")
    started = time.monotonic()
    response = client_for(url).get(tickers_path())
    assert response.status == 200
    assert len(replay.requests("company_tickers")) == 3
    assert time.monotonic() - started >= 2.0  # two Retry-After: 1 waits


def test_it_gives_up_after_its_retries(edgar: tuple[Replay, str]) -> None:
    replay, url = edgar
    replay.fail("company_tickers", status=500, times=10)
    with pytest.raises(EdgarHTTPError) as caught:
        client_for(url, max_retries=2).get(tickers_path())
    assert caught.value.status == 500
    assert len(replay.requests("company_tickers")) == 3


def test_it_retries_a_response_slower_than_the_read_timeout(edgar: tuple[Replay, str]) -> None:
    replay, url = edgar
    replay.make_slow("company_tickers", 1.0)
    with pytest.raises(EdgarUnavailable, match="timed out"):
        client_for(url, read_timeout=0.3, max_retries=1).get(tickers_path())
    assert len(replay.requests("company_tickers")) == 2  # the first try and one retry


def test_a_403_pauses_all_sec_traffic_and_says_why(
    edgar: tuple[Replay, str], caplog: pytest.LogCaptureFixture
) -> None:
    replay, url = edgar
    replay.throttle()
    client = client_for(url, throttle_pause_minutes=10)
    with pytest.raises(EdgarBlocked) as caught:
        client.get(current_feed_path())
    assert "Request Rate Threshold Exceeded" in caught.value.reason
    assert caught.value.until > datetime.now(UTC) + timedelta(minutes=9)
    assert any(r.levelname == "ERROR" and "403" in r.getMessage() for r in caplog.records)
    replay.throttle(False)
    sent = len(replay.requests())
    with pytest.raises(EdgarBlocked):
        client.get(tickers_path())  # a different path: still paused, nothing sent
    assert len(replay.requests()) == sent


def test_an_undeclared_user_agent_is_refused_by_the_replay_like_the_sec(
    edgar: tuple[Replay, str],
) -> None:
    _, url = edgar
    client = client_for(url)
    client.session.headers["User-Agent"] = "python-requests/2.32"
    with pytest.raises(EdgarBlocked) as caught:
        client.get(tickers_path())
    assert "Undeclared Automated Tool" in caught.value.reason


def test_the_replay_throttles_a_client_that_exceeds_the_rate(edgar: tuple[Replay, str]) -> None:
    replay, url = edgar
    replay.state.rate_limit = 3
    client = client_for(url, requests_per_second=10.0)

    def hammer() -> None:
        for _ in range(10):
            client.get(tickers_path())

    with pytest.raises(EdgarBlocked):
        hammer()
    polite = client_for(url, requests_per_second=2.0)
    polite.throttle = Throttle(timedelta(minutes=10))
    replay.state.blocked_until = 0
    replay.state.window.clear()
    for _ in range(6):
        polite.get(tickers_path())  # 2/s stays under the replay's 3/s


def test_a_persisted_block_is_honoured_before_any_request(edgar: tuple[Replay, str]) -> None:
    replay, url = edgar
    throttle = Throttle(timedelta(minutes=10), until=datetime.now(UTC) + timedelta(minutes=3))
    client = EdgarClient(
        EdgarSettings(user_agent=USER_AGENT, base_url=url, data_url=url), throttle=throttle
    )
    with pytest.raises(EdgarBlocked):
        client.get(tickers_path())
    assert replay.requests() == []


def test_it_caps_the_response_size(edgar: tuple[Replay, str]) -> None:
    replay, url = edgar
    replay.state.tickers = b"{" + b" " * 50_000 + b"}"
    with pytest.raises(ResponseTooLarge):
        client_for(url, max_response_bytes=10_000).get(tickers_path())


def test_it_never_fetches_another_host(edgar: tuple[Replay, str]) -> None:
    _replay, url = edgar
    client = client_for(url)
    response = client.get("https://www.sec.gov/files/company_tickers.json")
    assert response.url == f"{url}/files/company_tickers.json"
    with pytest.raises(ForeignURLError):
        client.get("https://evil.example/steal?x=1")
    with pytest.raises(ForeignURLError):
        client.get("https://www.sec.gov/../../etc/passwd")


def test_processes_sharing_a_database_share_the_rate(tmp_path: Path) -> None:
    """The daemon and an operator's backfill are one client to the SEC."""
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from edgarwatch.edgar.ratelimit import SharedRateLimiter\n"
        "limiter = SharedRateLimiter(10, Path(sys.argv[1]))\n"
        "for _ in range(12):\n"
        "    print(limiter.acquire(), flush=True)  # the start time the limiter granted\n"
    )
    path = str(tmp_path / "edgarwatch.db.rate")
    workers = [
        subprocess.Popen([sys.executable, "-c", script, path], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    starts = sorted(
        float(line) for worker in workers for line in worker.communicate(timeout=30)[0].split()
    )
    assert len(starts) == 24
    for i, start in enumerate(starts):
        assert len([s for s in starts[i:] if s - start < 1.0 - 1e-5]) <= 10
    assert starts[-1] - starts[0] >= 2.0  # 24 starts at 10/s, together


# -- an overall deadline per request (issue 8.11) ----------------------------------------


class Trickle:
    """A loopback HTTP server that answers one byte at a time, `every` seconds apart.

    `mode`: "body" (Content-Length, body trickled), "close" (no length, the body
    ends when the connection closes), "headers" (the status line and headers
    themselves trickled). The EDGAR replay answers at once, so it cannot play this.
    """

    def __init__(self, mode: str, every: float = 0.2, size: int = 200) -> None:
        self.mode, self.every, self.size = mode, every, size
        self.requests = 0
        trickle = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                trickle.requests += 1
                body = b"x" * trickle.size
                length = "" if trickle.mode == "close" else f"Content-Length: {len(body)}\r\n"
                head = f"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n{length}\r\n".encode()
                if trickle.mode == "headers":
                    head = head.replace(b"\r\n\r\n", b"\r\n" + b"X-Pad: 1\r\n" * 100 + b"\r\n")
                    data, slow_from = head + body, 0
                else:
                    data, slow_from = head + body, len(head)
                self.close_connection = True
                try:
                    self.wfile.write(data[:slow_from])
                    for offset in range(slow_from, len(data)):
                        self.wfile.write(data[offset : offset + 1])
                        time.sleep(trickle.every)
                except OSError:
                    return  # the client gave up: exactly what it should do

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> Trickle:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.mark.parametrize("mode", ["body", "close", "headers"])
def test_it_abandons_a_trickling_answer_at_its_deadline_and_retries(mode: str) -> None:
    """One byte every 0.2 s never trips the 2 s read timeout; the 1 s deadline ends it."""
    with Trickle(mode) as server:
        client = client_for(
            server.url, request_deadline_seconds=1.0, read_timeout=2.0, max_retries=1
        )
        started = time.monotonic()
        with pytest.raises(EdgarUnavailable, match="deadline"):
            client.get(tickers_path())
        elapsed = time.monotonic() - started
        client.close()
    assert server.requests == 2  # the first try and one retry: transient, like a timeout
    assert elapsed < 4.0  # two 1 s deadlines and a backoff, not 200 bytes x 0.2 s each


def test_the_feed_can_ask_for_a_shorter_deadline() -> None:
    with Trickle("body") as server:
        client = client_for(server.url, request_deadline_seconds=30.0, max_retries=0)
        started = time.monotonic()
        with pytest.raises(EdgarUnavailable, match=r"0\.5 s deadline"):
            client.get(current_feed_path(), deadline=0.5)
        client.close()
    assert time.monotonic() - started < 2.0


def test_a_deadline_leaves_answers_that_finish_in_time_alone(edgar: tuple[Replay, str]) -> None:
    replay, url = edgar
    replay.make_slow("company_tickers", 0.3)
    client = client_for(url, request_deadline_seconds=1.0)
    for _ in range(3):  # kept-alive connections are reused and stay healthy
        assert client.get(tickers_path()).status == 200
    client.close()
    assert len(replay.requests("company_tickers")) == 3


def test_every_client_shares_one_deadline_thread(edgar: tuple[Replay, str]) -> None:
    _, url = edgar
    clients = [client_for(url) for _ in range(5)]  # the daemon: one per cycle kind and reader
    for client in clients:
        client.get(tickers_path())
    watchers = [t for t in threading.enumerate() if t.name == "edgar-deadline"]
    assert len(watchers) == 1
    for client in clients:
        client.close()


# -- Retry-After and 429 (issues 8.7 and 10.6) --------------------------------------------


def test_a_retry_after_too_long_to_sleep_defers_that_host_only() -> None:
    """30 polls against `503 Retry-After: 3600` send one request, not 30; the other
    host (data.sec.gov) carries on."""
    www, data = Replay(), Replay(tickers=b'{"0": {"cik_str": 1, "ticker": "A", "title": "A"}}')
    www.fail("getcurrent", status=503, times=1000, retry_after="3600")
    with ReplayServer(www) as base, ReplayServer(data) as json_host:
        client = client_for(base.url, data_url=json_host.url)
        for _ in range(30):
            with pytest.raises(EdgarDeferred) as caught:
                client.get(current_feed_path())
        assert caught.value.until > datetime.now(UTC) + timedelta(minutes=59)
        assert caught.value.host == base.url
        assert len(www.requests()) == 1
        with pytest.raises(EdgarDeferred):
            client.get(tickers_path())  # any path on that host: nothing sent
        reader = client_for(base.url, data_url=json_host.url)  # the daemon's other clients
        reader.throttle = client.throttle  # share the throttle (Runtime.new_client)
        with pytest.raises(EdgarDeferred):
            reader.get(tickers_path())
        assert len(www.requests()) == 1
        assert client.get("/submissions/CIK0000000001.json", ok_statuses=frozenset({404}))
        assert len(data.requests()) == 1
        client.close()


def test_a_short_retry_after_is_still_slept_through(edgar: tuple[Replay, str]) -> None:
    replay, url = edgar
    replay.fail("company_tickers", status=503, times=1, retry_after="1")
    client = client_for(url)
    assert client.get(tickers_path()).status == 200
    assert client.deferred_until(url) is None


@pytest.mark.parametrize(("retry_after", "pause"), [(None, 600), ("5", 600), ("3600", 3600)])
def test_a_429_pauses_all_sec_traffic_like_a_403(
    retry_after: str | None, pause: int, caplog: pytest.LogCaptureFixture
) -> None:
    www, data = Replay(), Replay()
    www.fail("company_tickers", status=429, times=1, retry_after=retry_after)
    persisted: list[tuple[datetime, str]] = []
    throttle = Throttle(
        timedelta(minutes=10), on_block=lambda until, reason: persisted.append((until, reason))
    )
    with ReplayServer(www) as base, ReplayServer(data) as json_host:
        client = client_for(base.url, data_url=json_host.url)
        client.throttle = throttle
        with pytest.raises(EdgarBlocked) as caught:
            client.get(tickers_path())
        assert "HTTP 429" in caught.value.reason
        expected = datetime.now(UTC) + timedelta(seconds=pause)
        assert abs((caught.value.until - expected).total_seconds()) < 5
        assert persisted == [(caught.value.until, caught.value.reason)]
        for path in (current_feed_path(), tickers_path(), "/submissions/CIK0000320193.json"):
            with pytest.raises(EdgarBlocked):
                client.get(path)
        assert len(www.requests()) == 1  # the 429 itself, and nothing after it
        assert data.requests() == []
        client.close()
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1
    assert "429" in errors[0].getMessage()


def test_status_shows_a_429_block(tmp_path: Path) -> None:
    replay = Replay()
    replay.fail("getcurrent", status=429, times=1)
    with ReplayServer(replay) as server:
        config = write_config(
            tmp_path / "config.toml", server.url, tmp_path / "edgarwatch.db", watch="ciks = [1]"
        )
        assert edgarwatch("--config", str(config), "poll").returncode == 1
        sent = len(replay.requests())
        assert edgarwatch("--config", str(config), "poll").returncode == 1
        assert len(replay.requests()) == sent  # the pause is persisted across processes
    status = edgarwatch("--config", str(config), "status")
    assert status.returncode == 1
    assert "HTTP 429" in status.stdout


# -- a margin under the SEC's 10 per second (issue 8.13) ---------------------------------


class Jittered:
    """The limiter the client sees, with the delay between a granted start and the
    request's arrival at the SEC varying (scheduling, connection set-up, network)."""

    def __init__(self, limiter: RateLimiter, seed: int, most: float = 0.1) -> None:
        self.limiter = limiter
        self.rng = random.Random(seed)
        self.most = most
        self.lock = threading.Lock()

    def acquire(self) -> float:
        granted = self.limiter.acquire()
        with self.lock:
            delay = self.rng.uniform(0.0, self.most)
        time.sleep(delay)
        return granted


def busiest_second(arrivals: list[float]) -> int:
    ordered = sorted(arrivals)
    return max(len([a for a in ordered[i:] if a - start <= 1.0]) for i, start in enumerate(ordered))


def test_at_the_configured_maximum_no_second_at_the_replay_sees_more_than_ten(
    edgar: tuple[Replay, str], tmp_path: Path
) -> None:
    """requests_per_second = 10 is accepted; what reaches the SEC must stay under 10/s
    however the arrivals jitter, measured where the SEC measures it: at the server."""
    replay, url = edgar  # blocks any client with more than 10 requests in a second
    limiter = SharedRateLimiter(10, tmp_path / "edgarwatch.db.rate")
    client = client_for(url, requests_per_second=10.0)
    client.limiter = Jittered(limiter, seed=813)  # type: ignore[assignment]

    def worker() -> None:
        for _ in range(10):
            client.get(tickers_path())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    records = replay.requests()
    assert [r.status for r in records] == [200] * 40  # never blocked
    assert busiest_second([r.at for r in records]) <= 10


def test_the_limiter_spaces_starts_evenly_and_holds_a_margin() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    starts = [limiter.acquire() for _ in range(20)]  # callers all arrive at once
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 1 / EFFECTIVE_CEILING - 1e-9  # no burst, whatever was configured
    assert EFFECTIVE_CEILING < 10
