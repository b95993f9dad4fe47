"""An HTTP receiver on 127.0.0.1 that records requests and answers from a script.

`HttpReceiver` is any webhook endpoint; `SlackReceiver` plays Slack's incoming
webhook (https://api.slack.com/messaging/webhooks): it answers `ok` to a valid
Block Kit payload on its secret path, `404 no_service` anywhere else, and
`400 invalid_payload` / `invalid_blocks` when the JSON or Slack's block limits
are violated, so a test that passes here would pass against Slack.

`SlackReceiver(rate_limit=1.0)` enforces Slack's "no more than one message
per second" per webhook (api.slack.com/docs/rate-limits): a post that
arrives too soon is answered `429 rate_limited` with `Retry-After` in whole
seconds, as Slack does, and counted in `throttled`.

Replies are scripted: `receiver.reply(rate_limited(30), OK)` makes the next
request get a 429 with Retry-After and the one after it a 200; once the queue
is empty the default reply (OK) is used. Every request is recorded, including
those answered slowly or with errors.
"""

from __future__ import annotations

import json
import math
import ssl
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

import trustme

SLACK_PATH = "/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"


@dataclass(frozen=True)
class Reply:
    """One scripted answer; `delay` seconds pass before it is sent."""

    status: int = 200
    body: str = "ok"
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0


OK = Reply()
HANG_UP = Reply(0, "")
"""Close the connection without answering (a kept-alive connection the server is closing)."""
SERVER_ERROR = Reply(500, "Internal Server Error")
BAD_GATEWAY = Reply(502, "Bad Gateway")
INVALID_PAYLOAD = Reply(400, "invalid_payload")
INVALID_TOKEN = Reply(403, "invalid_token")
NO_SERVICE = Reply(404, "no_service")
CHANNEL_IS_ARCHIVED = Reply(410, "channel_is_archived")


def rate_limited(retry_after: int | str = 30) -> Reply:
    """Slack's rate limit: 429 with Retry-After (seconds, or an HTTP-date)."""
    return Reply(429, "rate_limited", {"Retry-After": str(retry_after)})


def slow(delay: float, reply: Reply = OK) -> Reply:
    """`reply`, sent only after `delay` seconds (longer than the client's timeout)."""
    return Reply(reply.status, reply.body, reply.headers, delay)


@dataclass(frozen=True)
class Received:
    """One request as it arrived: method, path, headers, raw body bytes."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)

    def json(self) -> Any:
        return json.loads(self.body)


class HttpReceiver:
    """A threaded HTTP server on 127.0.0.1 (port chosen by the OS)."""

    def __init__(
        self, *, path: str = "/hook", default: Reply = OK, tls: trustme.CA | None = None
    ) -> None:
        self.path = path
        self.default = default
        self.tls = tls
        """Serve HTTPS with a certificate for 127.0.0.1 issued by this CA (None: plain HTTP)."""
        self.requests: list[Received] = []
        self.statuses: list[int] = []
        """The status each request was answered with, in order."""
        self._replies: deque[Reply] = deque()
        self._lock = threading.Condition()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------
    def start(self) -> Self:
        self._stopping.clear()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.receiver = self
        if self.tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.tls.issue_cert("127.0.0.1", "localhost").configure_cert(context)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in a slow reply
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- use ------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._server is not None, "start() the receiver first"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}{self.path}"

    def reply(self, *replies: Reply) -> None:
        """Queue the answers to the next requests, in order."""
        with self._lock:
            self._replies.extend(replies)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        """Block until `count` requests arrived; return them all."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self.requests) >= count, timeout):
                raise AssertionError(f"expected {count} requests, got {len(self.requests)}")
            return list(self.requests)

    # -- serving --------------------------------------------------------------
    def answer(self, request: Received) -> Reply:
        """The reply for a request: the next scripted one, else the default."""
        if request.path != self.path:
            return Reply(404, "not found")
        return self.scripted() or self.default

    def scripted(self) -> Reply | None:
        with self._lock:
            return self._replies.popleft() if self._replies else None

    def record(self, request: Received) -> None:
        with self._lock:
            self.requests.append(request)
            self._lock.notify_all()

    @property
    def delivered(self) -> int:
        """Requests answered with a 2xx."""
        with self._lock:
            return sum(200 <= status < 300 for status in self.statuses)

    def answered(self, status: int) -> None:
        with self._lock:
            self.statuses.append(status)

    def pause(self, seconds: float) -> None:
        self._stopping.wait(seconds)


class RateLimit:
    """A token bucket: `rate` requests a second, `burst` at once; thread-safe."""

    def __init__(self, rate: float, burst: int = 1) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._at = time.monotonic()
        self._lock = threading.Lock()

    def take(self) -> float:
        """0 when the request may pass (a token is taken), else seconds until one is there."""
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
            self._at = now
            if self._tokens >= 1:
                self._tokens -= 1
                return 0.0
            return (1 - self._tokens) / self.rate


class SlackReceiver(HttpReceiver):
    """Plays a Slack incoming webhook, including its validation of payloads."""

    def __init__(
        self,
        *,
        path: str = SLACK_PATH,
        default: Reply = OK,
        tls: trustme.CA | None = None,
        rate_limit: float | None = None,
        burst: int = 1,
    ) -> None:
        super().__init__(path=path, default=default, tls=tls)
        self.limit = RateLimit(rate_limit, burst) if rate_limit else None
        self.throttled = 0
        """Posts answered 429 by the rate limit."""

    def answer(self, request: Received) -> Reply:
        """Scripted failures win; a success is only given to a payload Slack would take."""
        if request.path != self.path:
            return NO_SERVICE
        wait = self.limit.take() if self.limit else 0.0
        if wait:
            with self._lock:
                self.throttled += 1
            return rate_limited(math.ceil(wait))
        reply = self.scripted() or self.default
        if reply.status >= 300:
            return reply
        problem = slack_payload_problem(request.body)
        return Reply(400, problem, delay=reply.delay) if problem else reply


def slack_payload_problem(body: bytes) -> str | None:
    """Slack's error string for a payload it would refuse, or None.

    Limits from Slack's Block Kit reference: 50 blocks per message, header
    plain_text 150 characters, section text 3,000, section fields 10 of at
    most 2,000, context 10 elements.
    """
    try:
        payload = json.loads(body)
    except ValueError:
        return "invalid_payload"
    if not isinstance(payload, dict) or not (payload.get("text") or payload.get("blocks")):
        return "no_text"
    blocks = payload.get("blocks", [])
    if len(blocks) > 50:
        return "invalid_blocks"
    return next((p for p in map(_block_problem, blocks) if p), None)


def _block_problem(block: Mapping[str, Any]) -> str | None:
    kind = block.get("type")
    if kind == "header":
        text = block["text"]
        ok = text["type"] == "plain_text" and 0 < len(text["text"]) <= 150
    elif kind == "section":
        texts = [block["text"]["text"]] if "text" in block else []
        fields = block.get("fields", [])
        ok = bool(texts or fields) and all(0 < len(t) <= 3000 for t in texts)
        ok = ok and len(fields) <= 10 and all(0 < len(f["text"]) <= 2000 for f in fields)
    elif kind == "context":
        elements = block["elements"]
        ok = 0 < len(elements) <= 10 and all(len(e["text"]) <= 3000 for e in elements)
    else:
        ok = kind in ("divider", "actions")
    return None if ok else "invalid_blocks"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # keep-alive handlers must not hold up stop()
    receiver: HttpReceiver

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up on a slow reply closes the socket: not an error."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 5
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        request = Received(self.command, self.path, dict(self.headers), self.rfile.read(length))
        receiver = self.server.receiver
        receiver.record(request)
        reply = receiver.answer(request)
        receiver.answered(reply.status)
        if reply.status == 0:
            self.close_connection = True
            return
        if reply.delay:
            receiver.pause(reply.delay)
        body = reply.body.encode("utf-8")
        self.send_response(reply.status)
        for name, value in {"Content-Type": "text/plain", **reply.headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests assert on recorded requests, not on access logs."""
