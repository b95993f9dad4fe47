"""The one HTTP client through which every request to the SEC goes.

What it guarantees (sec.gov "Accessing EDGAR Data", and what other tools
learnt the hard way):

* the declared User-Agent (a name and a contact email) on every request;
* one `requests.Session` and one shared `RateLimiter` for everything, so the
  configured rate holds whatever the mix of requests and threads; retries and
  redirects go through the limiter too;
* connect and read timeouts (requests otherwise waits forever), and an
  overall deadline per exchange (`request_deadline_seconds`), so a server
  trickling a byte every few seconds cannot hold a poll (see `deadline`);
* retries of 5xx, timeouts and connection errors with exponential backoff
  and full jitter, honouring `Retry-After`; a `Retry-After` longer than a
  poll can sleep through defers that host (`EdgarDeferred`, nothing sent to
  it until then) while the other hosts carry on;
* a 403 or a 429 is the SEC's throttle ("Request Rate Threshold Exceeded" /
  "Undeclared Automated Tool"; 429 is seen near the limit too, secedgar
  issues 206, 284, 293): it stops *all* SEC traffic for
  `throttle_pause_minutes`, or the `Retry-After` if longer (access resumes
  only after 10 minutes under the limit; hammering on extends the block),
  and says so at error level;
* a cap on response size, counted on decoded bytes (a gzip bomb stops too);
* redirects followed only onto the configured hosts.

Each exchange is counted (`edgarwatch.metrics`) under the client's `source`:
the cycle or the readers that own it.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal
from urllib.parse import urlsplit

import requests

from edgarwatch.backoff import parse_retry_after, retry_delay, root_cause
from edgarwatch.edgar.deadline import DeadlineExceeded, WatchedAdapter, shared_watcher
from edgarwatch.edgar.paths import ForeignURLError, Rebaser
from edgarwatch.edgar.ratelimit import RateLimiter
from edgarwatch.edgar.settings import EdgarSettings
from edgarwatch.edgar.turns import Turns, priority_of
from edgarwatch.metrics import NO_METRICS, Instruments

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({500, 502, 503, 504})
THROTTLE_STATUSES = frozenset({403, 429})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
MAX_RETRY_AFTER = 120.0
"""Longer Retry-After values are not slept through inside a poll: the host is
deferred until then instead (`EdgarDeferred`)."""
LONGEST_RETRY_AFTER = 24 * 3600.0
"""A Retry-After is believed up to a day: a broken server's "one year" must not
silence the daemon for a year."""
BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0
THROTTLE_MARKERS = ("Request Rate Threshold Exceeded", "Undeclared Automated Tool")

Host = Literal["base", "data"]


class EdgarError(Exception):
    """A request to EDGAR did not produce a usable response."""


class EdgarBlocked(EdgarError):
    """The SEC throttled us (403 or 429); no request is sent to any SEC host until `until`."""

    def __init__(self, until: datetime, reason: str) -> None:
        self.until = until
        self.reason = reason
        super().__init__(f"SEC traffic paused until {until:%Y-%m-%d %H:%M:%S %Z}: {reason}")


class EdgarHTTPError(EdgarError):
    """EDGAR answered with a status we do not retry, or kept failing."""

    def __init__(self, status: int, url: str, message: str = "") -> None:
        self.status = status
        self.url = url
        super().__init__(f"HTTP {status} from {url}" + (f": {message}" if message else ""))


class EdgarUnavailable(EdgarError):
    """Connection errors, timeouts or missed deadlines outlasted the retries."""


class EdgarDeferred(EdgarError):
    """A host asked us (Retry-After) to come back at `until`; nothing is sent to it before."""

    def __init__(self, until: datetime, host: str, reason: str) -> None:
        self.until = until
        self.host = host
        self.reason = reason
        super().__init__(
            f"{host} deferred until {until:%Y-%m-%d %H:%M:%S %Z} ({reason}); "
            "nothing is sent to it before then"
        )


class ResponseTooLarge(EdgarError):
    """The response exceeded `edgar.max_response_bytes` and was abandoned."""


class UnexpectedResponse(EdgarError):
    """EDGAR answered 200 with something that is not the expected format."""


class Interrupted(EdgarError):
    """The daemon is stopping; the request was abandoned."""


@dataclass(frozen=True)
class EdgarResponse:
    url: str
    status: int
    content: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """Decoded as EDGAR serves it: UTF-8 when it is, else Latin-1 (feeds say ISO-8859-1)."""
        try:
            return self.content.decode("utf-8")
        except UnicodeDecodeError:
            return self.content.decode("latin-1")


class Throttle:
    """When SEC traffic may resume; shared by every request, persisted by the daemon.

    Also when each host that asked for a long wait (Retry-After) may be asked
    again: every client of the daemon shares this, so none of them sends there.
    """

    def __init__(
        self,
        pause: timedelta,
        until: datetime | None = None,
        on_block: Callable[[datetime, str], None] | None = None,
    ) -> None:
        self.pause = pause
        self.until = until
        self.reason = ""
        self.on_block = on_block
        self._deferred: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def check(self, now: datetime | None = None) -> None:
        with self._lock:
            if self.until and (now or datetime.now(UTC)) < self.until:
                raise EdgarBlocked(self.until, self.reason or "throttled by the SEC")

    def block(
        self,
        reason: str,
        now: datetime | None = None,
        *,
        status: int = 403,
        at_least: float = 0.0,
    ) -> datetime:
        """Pause all SEC traffic for the pause, or `at_least` seconds if longer.

        Said at error level once per block: answers to requests already in
        flight extend it quietly.
        """
        now = now or datetime.now(UTC)
        with self._lock:
            already = self.until is not None and now < self.until
            until = max(now + max(self.pause, timedelta(seconds=at_least)), self.until or now)
            self.until = until
            self.reason = reason
        if not already:
            logger.error(
                "SEC answered %d (%s): stopping all SEC traffic until %s. The SEC lifts a block "
                "only after 10 minutes under its rate limit; check edgar.requests_per_second and "
                "that edgar.user_agent names you with a contact email.",
                status,
                reason,
                until.isoformat(timespec="seconds"),
            )
        if self.on_block:
            self.on_block(until, reason)
        return until

    def defer(self, host: str, until: datetime) -> datetime:
        """No request to `host` (an origin, `https://www.sec.gov`) before `until`."""
        with self._lock:
            self._deferred[host] = max(until, self._deferred.get(host, until))
            return self._deferred[host]

    def deferred_until(self, host: str, now: datetime | None = None) -> datetime | None:
        with self._lock:
            until = self._deferred.get(host)
        return until if until is not None and (now or datetime.now(UTC)) < until else None

    @property
    def active(self) -> bool:
        return bool(self.until and datetime.now(UTC) < self.until)


class EdgarClient:
    """GETs from EDGAR's hosts, politely; see the module docstring for the rules."""

    def __init__(
        self,
        settings: EdgarSettings,
        *,
        limiter: RateLimiter | None = None,
        throttle: Throttle | None = None,
        stop: threading.Event | None = None,
        source: str = "other",
        metrics: Instruments = NO_METRICS,
        turns: Turns | None = None,
    ) -> None:
        self.settings = settings
        self.source = source
        """Who sends through this client (poll, sweep, efts, reconcile, documents)."""
        self.metrics = metrics
        self.turns = turns or Turns()
        """The queue at the rate limiter, shared by the clients of one process: the
        poll's requests first, documents last (`turns.priority_of(source)`)."""
        self.rebaser = Rebaser(settings.base_url, settings.data_url, settings.efts_url)
        self.limiter = limiter or RateLimiter(settings.requests_per_second)
        self.throttle = throttle or Throttle(timedelta(minutes=settings.throttle_pause_minutes))
        self.stop = stop or threading.Event()
        self.watcher = shared_watcher()
        self.session = requests.Session()
        adapter = WatchedAdapter()
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update(
            {
                "User-Agent": settings.user_agent,
                "Accept-Encoding": "gzip, deflate",
                "Accept": "*/*",
            }
        )
        self.requests_sent = 0

    def close(self) -> None:
        self.session.close()

    def get(
        self,
        path_or_url: str,
        *,
        ok_statuses: frozenset[int] = frozenset({200}),
        max_retries: int | None = None,
        max_bytes: int | None = None,
        deadline: float | None = None,
    ) -> EdgarResponse:
        """GET an EDGAR path (or a link found in EDGAR, rebased onto our hosts).

        Returns responses whose status is in `ok_statuses`; raises EdgarError
        subclasses otherwise. `max_retries` overrides the configured retries
        (the feed pager asks for none past page one, where 503 means "end");
        `max_bytes` lowers the size cap for responses that are always small;
        `deadline` lowers the overall deadline of each attempt (the feed, read
        every poll, can afford less patience than a 20 MB submission).
        """
        cap = min(max_bytes or self.settings.max_response_bytes, self.settings.max_response_bytes)
        seconds = self.settings.request_deadline_seconds
        seconds = min(deadline, seconds) if deadline else seconds
        url = self.rebaser.url(path_or_url)
        retries = self.settings.max_retries if max_retries is None else max_retries
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._get_following_redirects(url, cap, seconds)
            except requests.RequestException as exc:
                # Timeouts, missed deadlines, refused connections, and bodies that break
                # off or cannot be decoded (ChunkedEncodingError, ContentDecodingError):
                # all transient.
                if attempt > retries:
                    raise EdgarUnavailable(f"{url}: {_describe(exc)}") from None
                self._backoff(attempt, None, f"{_describe(exc)} from {url}")
                continue
            if response.status in ok_statuses:
                return response
            if response.status in THROTTLE_STATUSES:
                raise self._blocked(response)
            if response.status in RETRY_STATUSES:
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                if retry_after is not None and retry_after > MAX_RETRY_AFTER:
                    raise self._defer(response, retry_after)
                if attempt <= retries:
                    self._backoff(attempt, retry_after, f"HTTP {response.status} from {url}")
                    continue
            raise EdgarHTTPError(response.status, url)

    def deferred_until(self, url: str, now: datetime | None = None) -> datetime | None:
        """When the host serving `url` takes requests again, if it asked us to wait."""
        return self.throttle.deferred_until(_origin(url), now)

    # -- refusals ------------------------------------------------------------
    def _blocked(self, response: EdgarResponse) -> EdgarBlocked:
        """403 or 429: the SEC's throttle. Every SEC host pauses, not just this one."""
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        at_least = min(retry_after or 0.0, LONGEST_RETRY_AFTER)
        if response.status == 429:
            reason = "HTTP 429 Too Many Requests" + (
                f", Retry-After {retry_after:.0f} s" if retry_after else ""
            )
        else:
            reason = _throttle_reason(response)
        until = self.throttle.block(reason, status=response.status, at_least=at_least)
        return EdgarBlocked(until, self.throttle.reason)

    def _defer(self, response: EdgarResponse, retry_after: float) -> EdgarDeferred:
        """A Retry-After too long to sleep through: leave that host alone until then."""
        host = _origin(response.url)
        until = datetime.now(UTC) + timedelta(seconds=min(retry_after, LONGEST_RETRY_AFTER))
        reason = f"HTTP {response.status} with Retry-After {retry_after:.0f} s"
        until = self.throttle.defer(host, until)
        logger.warning(
            "%s answered %s: no request goes to it before %s; other hosts carry on",
            host,
            reason,
            until.isoformat(timespec="seconds"),
        )
        return EdgarDeferred(until, host, reason)

    # -- one attempt ---------------------------------------------------------
    def _get_following_redirects(self, url: str, cap: int, seconds: float) -> EdgarResponse:
        for _ in range(MAX_REDIRECTS + 1):
            response = self._send(url, cap, seconds)
            if response.status not in REDIRECT_STATUSES:
                return response
            location = response.headers.get("location", "")
            try:
                url = self.rebaser.url(requests.compat.urljoin(url, location))
            except ForeignURLError:
                raise EdgarHTTPError(
                    response.status, url, f"refusing redirect off EDGAR to {location[:100]!r}"
                ) from None
        raise EdgarHTTPError(response.status, url, "too many redirects")

    def _send(self, url: str, cap: int, seconds: float) -> EdgarResponse:
        self.throttle.check()
        deferred = self.deferred_until(url)
        if deferred is not None:
            raise EdgarDeferred(deferred, _origin(url), "it asked us to wait (Retry-After)")
        if self.stop.is_set():
            raise Interrupted(url)
        with self.turns.turn(priority_of(self.source)):
            self.limiter.acquire()
        self.requests_sent += 1
        started = time.monotonic()
        outcome = "error"  # no usable answer: refused, timed out, broken off, too large
        try:
            status, content, headers = self._exchange(url, cap, seconds)
            outcome = str(status)
        finally:
            self.metrics.edgar_request(self.source, outcome)
        logger.debug(
            "GET %s -> %s (%d bytes, %.2fs)", url, status, len(content), time.monotonic() - started
        )
        return EdgarResponse(url, status, content, headers)

    def _exchange(self, url: str, cap: int, seconds: float) -> tuple[int, bytes, dict[str, str]]:
        """One GET, its body read in full, under the overall deadline (see `deadline`)."""
        exchange = self.watcher.start(seconds)
        try:
            with self.session.get(
                url,
                timeout=(self.settings.connect_timeout, self.settings.read_timeout),
                stream=True,
                allow_redirects=False,
            ) as raw:
                content = self._read_capped(raw, url, cap, exchange.check)
                answer = raw.status_code, content, {k.lower(): v for k, v in raw.headers.items()}
        except requests.RequestException:
            if exchange.expired:  # the watcher cut it: say why, not "connection aborted"
                raise DeadlineExceeded(exchange.describe()) from None
            raise
        finally:
            self.watcher.finish(exchange)
        if exchange.expired:  # cut short: a close-delimited body would look complete
            raise DeadlineExceeded(exchange.describe())
        return answer

    def _read_capped(
        self, raw: requests.Response, url: str, cap: int, check: Callable[[], None]
    ) -> bytes:
        declared = raw.headers.get("content-length", "")
        if (
            declared.isdigit()
            and int(declared) > cap
            and "gzip" not in raw.headers.get("content-encoding", "")
        ):
            raise ResponseTooLarge(f"{url}: {declared} bytes is above the {cap}-byte cap")
        chunks: list[bytes] = []
        size = 0
        for chunk in raw.iter_content(chunk_size=65536):
            check()
            size += len(chunk)
            if size > cap:
                raise ResponseTooLarge(f"{url}: more than the {cap}-byte cap")
            chunks.append(chunk)
        return b"".join(chunks)

    def _backoff(self, attempt: int, retry_after: float | None, why: str) -> None:
        delay = retry_delay(attempt, base=BACKOFF_BASE, cap=BACKOFF_CAP, retry_after=retry_after)
        logger.warning("%s; retry %d in %.1fs", why, attempt, delay)
        if self.stop.wait(delay):
            raise Interrupted(why)


def _describe(exc: Exception) -> str:
    """A one-line reason without the URL-laden chain requests builds."""
    if isinstance(exc, DeadlineExceeded):
        return str(exc)
    return "timed out" if isinstance(exc, requests.Timeout) else root_cause(exc)


def _origin(url: str) -> str:
    """`http://127.0.0.1:8080` of a URL: what a deferral applies to."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _throttle_reason(response: EdgarResponse) -> str:
    text = response.content[:20000].decode("latin-1")
    for marker in THROTTLE_MARKERS:
        if marker.lower() in text.lower():
            return marker
    title = re.search(r"<title>\s*([^<]{1,120})", text, re.I)
    return f"HTTP 403 {title.group(1).strip()!r}" if title else "HTTP 403"
