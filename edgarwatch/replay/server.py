"""A local EDGAR on loopback: the demo's data source and the tests' SEC.

It serves EDGAR's real paths in EDGAR's real formats (see `render`, `efts`)
and behaves like sec.gov where it matters to a client:

* **Time.** Everything time-dependent reads `Replay.clock`: the wall clock
  by default, or a `ReplayClock` that starts at a chosen Eastern instant
  and runs at real speed, faster (`speed=600`: a business day in a
  minute), or not at all (`speed=0`, moved by `set()`/`advance()`). Rate
  windows and the 403 block stay on real monotonic time.
* **Acceptance and visibility.** `publish(accession, at=None)` makes a
  filing accepted `at` (default: the clock's now). An 8-K (any form
  starting "8-K") accepted after `after_hours_cutoff` (17:30 ET) on a
  business day, before `release_at` (06:00), or on a weekend or federal
  holiday is *held*: it first appears at `release_at` of the next business
  day (plus a fixed per-accession share of `release_spread`), keeping its
  evening acceptance time in `<updated>`, so it sorts below entries
  accepted that morning. Every filing is dated as EDGAR dates it
  (`Filed:`, `filingDate`, `FILED AS OF DATE`, daily index): after 17:30 ET
  the next business day, Forms 3/4/5 until 22:00 the same day (see
  `timetable`). Forms other than 8-K are posted at once. The hold is on by
  default when a clock is given, and off with the wall clock: a test
  suite's outcome must not depend on the hour or weekday it runs at.
  `publish(..., visible_at=...)` overrides the moment it reaches the feed.
* **Where a filing appears, and when.** A held filing exists nowhere before
  its release: its index page, documents, `.txt`, submissions JSON row and
  EFTS hit all appear at `visible_at` (EDGAR.md: after-hours 8-Ks "are not
  posted that evening"; this replay reads that as not disseminated at
  all). Any other filing's paths exist from acceptance (EDGAR publishes the
  index page first, the feed after). The submissions JSON lists a filing
  `submissions_lag_seconds` after that; EFTS indexes it
  `efts_lag_seconds` after `visible_at` (it indexes what was
  disseminated); a day's master index exists once `build_indexes_through`
  covers it or, with `daily_index_at` (e.g. 22:00), from that hour.
* **The getcurrent feed.** Newest acceptance first (ties: accession,
  descending), one entry per (filing, role), `type` a prefix match,
  `count` one of 10/20/40/80/100 (others round down, below 10 is 10,
  missing is 40: EDGAR's browse pages behave so), `start` past the end
  answers EDGAR's 503 page. The feed reaches back `feed_depth` rows
  (counted over all forms before `type` filters them, like EDGAR's 5,100)
  and, with `feed_business_days=1`, only to `release_at` of the previous
  business day. `feed_drops` (accessions, or a fraction decided per
  accession by a seeded RNG) never appear on the feed but everywhere else.
* **EFTS** at `/LATEST/search-index`: see `efts`.
* **HTTP.** Index pages, documents and `.txt` carry `Last-Modified` = the
  acceptance time; the feed says `Cache-Control: no-cache`, the
  submissions JSON `no-store`. 403 "Undeclared Automated Tool" when the
  User-Agent names no one, 403 "Request Rate Threshold Exceeded" when a
  client goes over the rate (default 10 per second), lifted only after
  `block_seconds` without requests — hammering on extends it, as the
  SEC's does; scriptable faults: the next N answers of a path are
  503/500/429 (with Retry-After), slow answers, a forced 403. All of this
  applies to EFTS too.
"""

from __future__ import annotations

import contextlib
import random
import re
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from edgarwatch.filing import EASTERN
from edgarwatch.replay import efts, render
from edgarwatch.replay.catalog import ReplayCompany, ReplayDocument, ReplayFiling
from edgarwatch.replay.clock import Clock, WallClock, eastern
from edgarwatch.replay.index_page import index_page
from edgarwatch.replay.indexes import master_index, submissions_json
from edgarwatch.replay.submission import complete_submission
from edgarwatch.replay.timetable import Timetable

_FOLDER_RE = re.compile(r"^/Archives/edgar/data/(\d+)/(\d{18})/(.+)$")
_SUBMISSIONS_RE = re.compile(r"^/submissions/CIK(\d{10})\.json$")
_DAILY_RE = re.compile(r"^/Archives/edgar/daily-index/(\d{4})/QTR[1-4]/master\.(\d{8})\.idx$")
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
EFTS_PATH = "/LATEST/search-index"
FEED_COUNTS = (10, 20, 40, 80, 100)
"""getcurrent's page sizes; others round down to one of them (below 10: 10)."""
EDGAR_FEED_DEPTH = 5100
"""Rows the real getcurrent serves before answering 503 (51 pages of 100, all forms)."""

Answer = tuple[int, bytes, dict[str, str]]


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
    clock_at: datetime | None = None
    """The replay clock's time when it arrived (simulated time with a ReplayClock)."""


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
    clock: Clock = field(default_factory=WallClock)
    timetable: Timetable = field(default_factory=Timetable)
    hold_after_hours: bool = False
    feed_depth: int | None = EDGAR_FEED_DEPTH
    feed_business_days: int | None = None
    feed_drops: set[str] = field(default_factory=set)
    drop_fraction: float = 0.0
    drop_seed: int = 0
    efts_lag: timedelta = timedelta(0)
    submissions_lag: timedelta = timedelta(0)
    daily_index_at: clock_time | None = None
    search_text: dict[tuple[str, str], str] = field(default_factory=dict)


class Replay:
    """The replay's controls; `ReplayServer` puts it on a socket.

    Keyword options (all optional; the defaults are the replay as it always
    was, plus EDGAR's dating of evening filings):

    `clock`: a `ReplayClock` (default: the wall clock).
    `hold_after_hours`: hold after-hours 8-Ks until the morning release
    (default: on when `clock` is given, off with the wall clock).
    `after_hours_cutoff` (17:30), `release_at` (06:00),
    `release_spread_seconds` (0; 5400 trickles the release over 06:00–07:30).
    `feed_depth` (5100 rows; None: unlimited), `feed_business_days` (None;
    1: the feed reaches back to the previous business day's release time).
    `feed_drops`: accessions never on the feed, or a fraction of all
    published filings (chosen per accession with `drop_seed`).
    `efts_lag_seconds`, `submissions_lag_seconds` (0): how long after a
    filing is disseminated EFTS / the submissions JSON show it.
    `daily_index_at`: the ET hour a day's master index appears (None: only
    what `build_indexes_through` says).
    """

    def __init__(
        self,
        filings: Iterable[ReplayFiling] = (),
        *,
        tickers: bytes = b"{}",
        rate_limit: float = 10.0,
        block_seconds: float = 600.0,
        clock: Clock | None = None,
        hold_after_hours: bool | None = None,
        after_hours_cutoff: clock_time = clock_time(17, 30),
        release_at: clock_time = clock_time(6, 0),
        release_spread_seconds: float = 0.0,
        feed_depth: int | None = EDGAR_FEED_DEPTH,
        feed_business_days: int | None = None,
        feed_drops: Iterable[str] | float = (),
        drop_seed: int = 0,
        efts_lag_seconds: float = 0.0,
        submissions_lag_seconds: float = 0.0,
        daily_index_at: clock_time | None = None,
    ) -> None:
        if isinstance(feed_drops, int | float):
            fraction, drops = float(feed_drops), set[str]()
        else:
            fraction, drops = 0.0, set(feed_drops)
        self.state = ReplayState(
            tickers=tickers,
            rate_limit=rate_limit,
            block_seconds=block_seconds,
            clock=clock or WallClock(),
            timetable=Timetable(
                after_hours_cutoff=after_hours_cutoff,
                release_at=release_at,
                release_spread=timedelta(seconds=release_spread_seconds),
            ),
            hold_after_hours=clock is not None if hold_after_hours is None else hold_after_hours,
            feed_depth=feed_depth,
            feed_business_days=feed_business_days,
            feed_drops=drops,
            drop_fraction=fraction,
            drop_seed=drop_seed,
            efts_lag=timedelta(seconds=efts_lag_seconds),
            submissions_lag=timedelta(seconds=submissions_lag_seconds),
            daily_index_at=daily_index_at,
        )
        for filing in filings:
            self.add(filing)

    @property
    def clock(self) -> Clock:
        return self.state.clock

    def now(self) -> datetime:
        """The replay's current time (simulated with a ReplayClock)."""
        return self.state.clock.now()

    def add(self, filing: ReplayFiling) -> None:
        with self.state.lock:
            self.state.filings[filing.accession] = filing

    def filing(self, accession: str) -> ReplayFiling:
        """The filing as the replay holds it now (with its accepted/visible/public times)."""
        with self.state.lock:
            return self.state.filings[accession]

    def publish(
        self,
        filing: str | ReplayFiling,
        at: datetime | str | None = None,
        *,
        visible_at: datetime | str | None = None,
    ) -> ReplayFiling:
        """Accept a filing `at` (default: now) and show it on the feed when EDGAR would.

        `filing` is an accession already `add`ed, or a ReplayFiling (added
        now). Naive datetimes and ISO strings are Eastern time. A future `at`
        schedules it: nothing of it exists before then. `visible_at`
        overrides when it reaches the feed (never before `at`).
        """
        with self.state.lock:
            source = self._source(filing)
            accepted = eastern(at) if at is not None else self.now()
            stamped = self._stamp(source, accepted, eastern(visible_at) if visible_at else None)
            self.state.published[stamped.accession] = stamped
            if self.state.drop_fraction and self._drawn_for_drop(stamped.accession):
                self.state.feed_drops.add(stamped.accession)
            return stamped

    def publish_history(
        self, filing: str | ReplayFiling, at: datetime | str | None = None
    ) -> ReplayFiling:
        """Make a filing part of its company's past: in submissions JSON, not on the feed."""
        with self.state.lock:
            source = self._source(filing)
            accepted = eastern(at) if at is not None else source.accepted_at or self.now()
            stamped = self._stamp(source, accepted, None)
            self.state.history[stamped.accession] = stamped
            return stamped

    def _source(self, filing: str | ReplayFiling) -> ReplayFiling:
        if isinstance(filing, ReplayFiling):
            self.state.filings[filing.accession] = filing
            return filing
        return self.state.filings[filing]

    def _stamp(
        self, source: ReplayFiling, accepted: datetime, visible_at: datetime | None
    ) -> ReplayFiling:
        timetable = self.state.timetable
        after_hours = timetable.is_after_hours(source.form, accepted)
        if visible_at is None and after_hours and self.state.hold_after_hours:
            visible_at = timetable.release(source.accession, accepted)
        filing = source.published(
            accepted,
            visible_at=visible_at,
            public_at=visible_at if after_hours else None,
            filing_date=timetable.filing_date(source.form, accepted),
        )
        self.state.filings[filing.accession] = filing
        return filing

    def _drawn_for_drop(self, accession: str) -> bool:
        rng = random.Random(f"{self.state.drop_seed}:{accession}")  # noqa: S311 - not crypto
        return rng.random() < self.state.drop_fraction

    def on_feed(self, form: str = "") -> list[ReplayFiling]:
        """The filings the getcurrent feed shows now (`type=form`), newest first, each once."""
        with self.state.lock:
            rows = feed_rows(self.state, self.now())
        shown = (f for f, _ in rows if f.form.upper().startswith(form.upper()))
        return list({f.accession: f for f in shown}.values())

    def unpublish(self, accession: str) -> None:
        with self.state.lock:
            self.state.published.pop(accession, None)

    def drop_from_feed(self, *accessions: str) -> None:
        """These filings never appear on the feed (they stay everywhere else)."""
        with self.state.lock:
            self.state.feed_drops.update(accessions)

    @property
    def feed_drops(self) -> frozenset[str]:
        """Accessions kept off the feed (given, or drawn by the `feed_drops` fraction)."""
        with self.state.lock:
            return frozenset(self.state.feed_drops)

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
        record = RequestRecord(time.time(), self.path, user_agent, status, state.clock.now())
        with state.lock:  # logged on arrival: a client may give up on a slow answer
            state.requests.append(record)
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

    def _answer(self, state: ReplayState, user_agent: str) -> Answer:
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

    def _route(self, state: ReplayState) -> Answer:
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query, keep_blank_values=True)
        now = state.clock.now()
        if path in state.raw:
            status, body, content_type = state.raw[path]
            return status, body, {"Content-Type": content_type}
        if path == "/cgi-bin/browse-edgar" and query.get("action") == ["getcurrent"]:
            return _feed(state, query, now)
        if path == EFTS_PATH:
            return _search(state, query, now)
        if path == "/files/company_tickers.json":
            return 200, state.tickers, {"Content-Type": "application/json"}
        if match := _SUBMISSIONS_RE.match(path):
            return _submissions(state, int(match.group(1)), path, now)
        if match := _DAILY_RE.match(path):
            return _daily_index(state, match.group(2), now)
        if match := _FOLDER_RE.match(path):
            return _archive(state, match.group(2), match.group(3), now)
        return 404, render.not_found_page(), {"Content-Type": "text/html"}


def _first_int(query: dict[str, list[str]], name: str) -> int | None:
    try:
        return int(query.get(name, [""])[0])
    except ValueError:
        return None


def feed_count(requested: int | None) -> int:
    """getcurrent's page size for a `count` parameter (EDGAR's 10/20/40/80/100)."""
    if requested is None:
        return 40
    return max((c for c in FEED_COUNTS if c <= requested), default=FEED_COUNTS[0])


def _public(filing: ReplayFiling, now: datetime, lag: timedelta = timedelta(0)) -> bool:
    return filing.public_at is not None and filing.public_at + lag <= now


def feed_rows(state: ReplayState, now: datetime) -> list[tuple[ReplayFiling, ReplayCompany]]:
    """Every (filing, role) row the getcurrent feed holds at `now`, newest first, all forms."""
    shown = [
        f
        for f in state.published.values()
        if f.visible_at is not None and f.visible_at <= now and f.accession not in state.feed_drops
    ]
    if state.feed_business_days is not None:
        horizon = state.timetable.feed_horizon(now, state.feed_business_days)
        shown = [f for f in shown if f.accepted_at is not None and f.accepted_at >= horizon]
    shown.sort(key=lambda f: (f.accepted_at, f.accession), reverse=True)
    rows = [(f, c) for f in shown for c in f.companies]
    return rows if state.feed_depth is None else rows[: state.feed_depth]


def _feed(state: ReplayState, query: dict[str, list[str]], now: datetime) -> Answer:
    form = query.get("type", [""])[0].upper()
    start = max(0, _first_int(query, "start") or 0)
    count = feed_count(_first_int(query, "count"))
    entries = [(f, c) for f, c in feed_rows(state, now) if f.form.upper().startswith(form)]
    if start > 0 and start >= len(entries):
        return 503, render.unavailable_page(), {"Content-Type": "text/html"}
    body = render.atom_feed(entries[start : start + count], now)
    return 200, body, {"Content-Type": "application/atom+xml", "Cache-Control": "no-cache"}


def _search(state: ReplayState, query: dict[str, list[str]], now: datetime) -> Answer:
    indexed = [
        f
        for f in (*state.history.values(), *state.published.values())
        if f.visible_at is not None and f.visible_at + state.efts_lag <= now
    ]

    def text_of(filing: ReplayFiling, document: ReplayDocument) -> str:
        key = (filing.accession, document.filename)
        if key not in state.search_text:
            state.search_text[key] = efts.searchable_text(document)
        return state.search_text[key]

    body = efts.search(indexed, efts.SearchRequest.from_query(query), text_of)
    return 200, body, {"Content-Type": "application/json"}


def _submissions(state: ReplayState, cik: int, path: str, now: datetime) -> Answer:
    shown = [
        f
        for f in (*state.history.values(), *state.published.values())
        if _public(f, now, state.submissions_lag)
    ]
    mine = [f for f in shown if any(c.cik == cik for c in f.companies)]
    company = next((c for f in mine for c in f.companies if c.cik == cik), None)
    if company is None:
        company = next(
            (c for f in state.filings.values() for c in f.companies if c.cik == cik), None
        )
    if company is None:
        return 404, render.no_such_key(path.lstrip("/")), {"Content-Type": "application/xml"}
    body = submissions_json(company, mine)
    return 200, body, {"Content-Type": "application/json", "Cache-Control": "no-store"}


def _daily_index(state: ReplayState, day_text: str, now: datetime) -> Answer:
    day = datetime.strptime(day_text, "%Y%m%d").date()
    built = state.indexes_built_through is not None and day <= state.indexes_built_through
    if state.daily_index_at is not None:
        built = built or now >= datetime.combine(day, state.daily_index_at, EASTERN)
    if not built:
        return 404, render.not_found_page(), {"Content-Type": "text/html"}
    shown = [*state.history.values(), *state.published.values()]
    filings = [f for f in shown if f.filed == day and _public(f, now)]
    return 200, master_index(day, filings), {"Content-Type": "text/plain"}


def _archive(state: ReplayState, digits: str, name: str, now: datetime) -> Answer:
    accession = f"{digits[:10]}-{digits[10:12]}-{digits[12:]}"
    filing = state.published.get(accession) or state.history.get(accession)
    if filing is None or not _public(filing, now):
        return 404, render.not_found_page(), {"Content-Type": "text/html"}
    assert filing.accepted_at is not None
    modified = {"Last-Modified": render.http_date(filing.accepted_at)}
    if name in (f"{accession}-index.htm", f"{accession}-index.html"):
        return 200, index_page(filing), {"Content-Type": "text/html"} | modified
    if name == f"{accession}.txt":
        body = complete_submission(filing)
        return 200, body, {"Content-Type": "text/plain"} | modified
    document = filing.document(name)
    if document is None:
        return 404, render.not_found_page(), {"Content-Type": "text/html"}
    kind = "text/html" if name.endswith((".htm", ".html")) else "text/plain"
    return 200, document.content, {"Content-Type": kind} | modified


def company(cik: int, name: str, role: str = "Filer", **extra: Any) -> ReplayCompany:
    return ReplayCompany(cik=cik, name=name, role=role, **extra)


def today_eastern() -> date:
    return datetime.now(EASTERN).date()
