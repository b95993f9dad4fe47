"""A local EDGAR on loopback: the demo's data source and the tests' SEC.

It serves EDGAR's real paths in EDGAR's real formats (see `render`) and
behaves like sec.gov where it matters to a client:

* the getcurrent feed newest first, paged by `start`/`count`, with the 503
  "File Unavailable" page past its end;
* 403 "Undeclared Automated Tool" when the User-Agent names no one, and
  403 "Request Rate Threshold Exceeded" when a client goes over the rate
  (default 10 per second), lifted only after `block_seconds` without
  requests — hammering on extends it, as the SEC's does;
* scriptable faults for tests: the next N answers of a path are 503/500/429
  (with Retry-After), slow answers, a forced 403.

Filings are published at a moment (now, by default): the replay stamps
their acceptance time then, so a 2007 filing replays as news.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from edgarwatch.filing import EASTERN
from edgarwatch.replay import render
from edgarwatch.replay.catalog import ReplayCompany, ReplayFiling

_FOLDER_RE = re.compile(r"^/Archives/edgar/data/(\d+)/(\d{18})/(.+)$")
_SUBMISSIONS_RE = re.compile(r"^/submissions/CIK(\d{10})\.json$")
_DAILY_RE = re.compile(r"^/Archives/edgar/daily-index/(\d{4})/QTR[1-4]/master\.(\d{8})\.idx$")
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")


@dataclass
class Fault:
    path_contains: str
    status: int
    remaining: int
    retry_after: str | None = None
    body: bytes = b""


@dataclass
class RequestRecord:
    at: float
    path: str
    user_agent: str
    status: int


@dataclass
class ReplayState:
    """Everything the server knows; guarded by `lock`."""

    filings: dict[str, ReplayFiling] = field(default_factory=dict)
    published: dict[str, ReplayFiling] = field(default_factory=dict)
    history: dict[str, ReplayFiling] = field(default_factory=dict)
    tickers: bytes = b"{}"
    rate_limit: float = 10.0
    block_seconds: float = 600.0
    blocked_until: float = 0.0
    force_403: bool = False
    faults: list[Fault] = field(default_factory=list)
    slow: dict[str, float] = field(default_factory=dict)
    requests: list[RequestRecord] = field(default_factory=list)
    window: deque[float] = field(default_factory=deque)
    indexes_built_through: date | None = None
    raw: dict[str, tuple[int, bytes, str]] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)


class Replay:
    """The replay's controls; `ReplayServer` puts it on a socket."""

    def __init__(
        self,
        filings: Iterable[ReplayFiling] = (),
        *,
        tickers: bytes = b"{}",
        rate_limit: float = 10.0,
        block_seconds: float = 600.0,
    ) -> None:
        self.state = ReplayState(
            tickers=tickers, rate_limit=rate_limit, block_seconds=block_seconds
        )
        for filing in filings:
            self.add(filing)

    def add(self, filing: ReplayFiling) -> None:
        with self.state.lock:
            self.state.filings[filing.accession] = filing

    def publish(self, accession: str, at: datetime | None = None) -> ReplayFiling:
        """Show a filing on the feed, accepted `at` (default: now)."""
        with self.state.lock:
            filing = self.state.filings[accession].published(at or datetime.now(UTC))
            self.state.filings[accession] = filing
            self.state.published[accession] = filing
            return filing

    def publish_history(self, accession: str, at: datetime | None = None) -> ReplayFiling:
        """Make a filing part of its company's past: in submissions JSON, not on the feed."""
        with self.state.lock:
            source = self.state.filings[accession]
            filing = source.published(at or source.accepted_at or datetime.now(UTC))
            self.state.filings[accession] = filing
            self.state.history[accession] = filing
            return filing

    def unpublish(self, accession: str) -> None:
        with self.state.lock:
            self.state.published.pop(accession, None)

    def fail(
        self, path_contains: str, status: int = 503, times: int = 1, retry_after: str | None = None
    ) -> None:
        with self.state.lock:
            self.state.faults.append(Fault(path_contains, status, times, retry_after))

    def serve(
        self, path: str, body: bytes, status: int = 200, content_type: str = "text/html"
    ) -> None:
        """Answer `path` (query ignored) with these bytes: hostile or hand-made documents."""
        with self.state.lock:
            self.state.raw[path] = (status, body, content_type)

    def make_slow(self, path_contains: str, seconds: float) -> None:
        with self.state.lock:
            self.state.slow[path_contains] = seconds

    def throttle(self, on: bool = True) -> None:
        """Answer every request with the SEC's 403 rate-limit page."""
        with self.state.lock:
            self.state.force_403 = on

    def build_indexes_through(self, day: date | None) -> None:
        """Daily indexes exist for days up to `day` (EDGAR builds them nightly)."""
        with self.state.lock:
            self.state.indexes_built_through = day

    def requests(self, path_contains: str = "") -> list[RequestRecord]:
        with self.state.lock:
            return [r for r in self.state.requests if path_contains in r.path]

    def clear_requests(self) -> None:
        with self.state.lock:
            self.state.requests.clear()


class ReplayServer:
    """`with ReplayServer(replay) as server:` serves on 127.0.0.1 at `server.url`."""

    def __init__(self, replay: Replay, host: str = "127.0.0.1", port: int = 0) -> None:
        self.replay = replay
        handler = type("Handler", (_Handler,), {"replay": replay})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="replay",
            daemon=True,
        )

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> ReplayServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    replay: Replay
    server_version = "Apache"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is kept in memory for tests."""

    def do_GET(self) -> None:
        state = self.replay.state
        user_agent = self.headers.get("User-Agent", "")
        status, body, headers = self._answer(state, user_agent)
        with state.lock:  # logged on arrival: a client may give up on a slow answer
            state.requests.append(RequestRecord(time.time(), self.path, user_agent, status))
        delay = next((s for p, s in state.slow.items() if p in self.path), 0.0)
        if delay:
            time.sleep(delay)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def _answer(self, state: ReplayState, user_agent: str) -> tuple[int, bytes, dict[str, str]]:
        html = {"Content-Type": "text/html"}
        with state.lock:
            if (
                not _EMAIL_RE.search(user_agent)
                or len(re.findall(r"[A-Za-z]", _EMAIL_RE.sub("", user_agent))) < 2
            ):
                return 403, render.throttled_page(undeclared=True), html
            if state.force_403 or self._over_rate(state):
                return 403, render.throttled_page(undeclared=False), html
            for fault in state.faults:
                if fault.remaining > 0 and fault.path_contains in self.path:
                    fault.remaining -= 1
                    extra = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                    return fault.status, fault.body or render.unavailable_page(), html | extra
            return self._route(state)

    def _over_rate(self, state: ReplayState) -> bool:
        """Sliding one-second window; a block lasts until `block_seconds` of quiet."""
        now = time.monotonic()
        if now < state.blocked_until:
            state.blocked_until = now + state.block_seconds  # hammering on extends the block
            return True
        state.window.append(now)
        while state.window and now - state.window[0] > 1.0:
            state.window.popleft()
        if len(state.window) > state.rate_limit:
            state.blocked_until = now + state.block_seconds
            return True
        return False

    def _route(self, state: ReplayState) -> tuple[int, bytes, dict[str, str]]:
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        if path in state.raw:
            status, body, content_type = state.raw[path]
            return status, body, {"Content-Type": content_type}
        if path == "/cgi-bin/browse-edgar" and query.get("action") == ["getcurrent"]:
            return self._feed(state, query)
        if path == "/files/company_tickers.json":
            return 200, state.tickers, {"Content-Type": "application/json"}
        if match := _SUBMISSIONS_RE.match(path):
            return self._submissions(state, int(match.group(1)), path)
        if match := _DAILY_RE.match(path):
            return self._daily_index(state, match.group(2))
        if match := _FOLDER_RE.match(path):
            return self._archive(state, match.group(2), match.group(3))
        return 404, render.not_found_page(), {"Content-Type": "text/html"}

    def _feed(
        self, state: ReplayState, query: dict[str, list[str]]
    ) -> tuple[int, bytes, dict[str, str]]:
        form = query.get("type", [""])[0].upper()
        start = int(query.get("start", ["0"])[0] or 0)
        count = int(query.get("count", ["40"])[0] or 40)
        filings = sorted(
            (f for f in state.published.values() if f.form.upper().startswith(form)),
            key=lambda f: f.accepted_at or datetime.min.replace(tzinfo=UTC),
            reverse=True,
        )
        entries = [(f, c) for f in filings for c in f.companies]
        if start > 0 and start >= len(entries):
            return 503, render.unavailable_page(), {"Content-Type": "text/html"}
        page = entries[start : start + count]
        body = render.atom_feed(page, datetime.now(UTC))
        return 200, body, {"Content-Type": "application/atom+xml"}

    def _submissions(
        self, state: ReplayState, cik: int, path: str
    ) -> tuple[int, bytes, dict[str, str]]:
        shown = [*state.history.values(), *state.published.values()]
        mine = [f for f in shown if any(c.cik == cik for c in f.companies)]
        company = next((c for f in mine for c in f.companies if c.cik == cik), None)
        if company is None:
            company = next(
                (c for f in state.filings.values() for c in f.companies if c.cik == cik), None
            )
        if company is None:
            return 404, render.no_such_key(path.lstrip("/")), {"Content-Type": "application/xml"}
        return 200, render.submissions_json(company, mine), {"Content-Type": "application/json"}

    def _daily_index(self, state: ReplayState, day_text: str) -> tuple[int, bytes, dict[str, str]]:
        day = datetime.strptime(day_text, "%Y%m%d").date()
        built = state.indexes_built_through
        if built is None or day > built:
            return 404, render.not_found_page(), {"Content-Type": "text/html"}
        shown = [*state.history.values(), *state.published.values()]
        filings = [f for f in shown if f.filed == day]
        return 200, render.master_index(day, filings), {"Content-Type": "text/plain"}

    def _archive(
        self, state: ReplayState, digits: str, name: str
    ) -> tuple[int, bytes, dict[str, str]]:
        accession = f"{digits[:10]}-{digits[10:12]}-{digits[12:]}"
        filing = state.published.get(accession) or state.history.get(accession)
        if filing is None:
            return 404, render.not_found_page(), {"Content-Type": "text/html"}
        if name in (f"{accession}-index.htm", f"{accession}-index.html"):
            return 200, render.index_page(filing), {"Content-Type": "text/html"}
        if name == f"{accession}.txt":
            return 200, render.complete_submission(filing), {"Content-Type": "text/plain"}
        document = filing.document(name)
        if document is None:
            return 404, render.not_found_page(), {"Content-Type": "text/html"}
        kind = "text/html" if name.endswith((".htm", ".html")) else "text/plain"
        return 200, document.content, {"Content-Type": kind}


def company(cik: int, name: str, role: str = "Filer", **extra: Any) -> ReplayCompany:
    return ReplayCompany(cik=cik, name=name, role=role, **extra)


def today_eastern() -> date:
    return datetime.now(EASTERN).date()
