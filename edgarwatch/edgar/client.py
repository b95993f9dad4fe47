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
  and full jitter, honouring `Retry-After` on 429/503;
* a 403 is the SEC's throttle ("Request Rate Threshold Exceeded" /
  "Undeclared Automated Tool"): it stops *all* SEC traffic for
  `throttle_pause_minutes` (access resumes only after 10 minutes under the
  limit; hammering on extends the block) and says so at error level;
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

import requests

from edgarwatch.backoff import parse_retry_after, retry_delay, root_cause
from edgarwatch.edgar.deadline import DeadlineExceeded, WatchedAdapter, shared_watcher
from edgarwatch.edgar.paths import ForeignURLError, Rebaser
from edgarwatch.edgar.ratelimit import RateLimiter
from edgarwatch.edgar.settings import EdgarSettings
from edgarwatch.metrics import NO_METRICS, Instruments

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
MAX_RETRY_AFTER = 120.0
"""Longer Retry-After values are not slept through inside a poll: the request fails
and the next cycle tries again."""
BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0
THROTTLE_MARKERS = ("Request Rate Threshold Exceeded", "Undeclared Automated Tool")

Host = Literal["base", "data"]


class EdgarError(Exception):
    """A request to EDGAR did not produce a usable response."""


class EdgarBlocked(EdgarError):
    """The SEC throttled us (403); no request is sent until `until`."""

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
    """When SEC traffic may resume; shared by every request, persisted by the daemon."""

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
        self._lock = threading.Lock()

    def check(self, now: datetime | None = None) -> None:
        with self._lock:
            if self.until and (now or datetime.now(UTC)) < self.until:
                raise EdgarBlocked(self.until, self.reason or "throttled by the SEC")

    def block(self, reason: str, now: datetime | None = None) -> datetime:
        with self._lock:
            self.until = (now or datetime.now(UTC)) + self.pause
            self.reason = reason
            until = self.until
        logger.error(
            "SEC answered 403 (%s): stopping all SEC traffic until %s. The SEC lifts a block "
            "only after 10 minutes under its rate limit; check edgar.requests_per_second and "
            "that edgar.user_agent names you with a contact email.",
            reason,
            until.isoformat(timespec="seconds"),
        )
        if self.on_block:
            self.on_block(until, reason)
        return until

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
    ) -> None:
        self.settings = settings
        self.source = source
        """Who sends through this client (poll, sweep, efts, reconcile, documents)."""
        self.metrics = metrics
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
            if response.status == 403:
                until = self.throttle.block(_throttle_reason(response))
                raise EdgarBlocked(until, self.throttle.reason)
            if response.status in RETRY_STATUSES and attempt <= retries:
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                if retry_after is not None and retry_after > MAX_RETRY_AFTER:
                    raise EdgarHTTPError(response.status, url, f"Retry-After {retry_after:.0f}s")
                self._backoff(attempt, retry_after, f"HTTP {response.status} from {url}")
                continue
            raise EdgarHTTPError(response.status, url)

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
        if self.stop.is_set():
            raise Interrupted(url)
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


def _throttle_reason(response: EdgarResponse) -> str:
    text = response.content[:20000].decode("latin-1")
    for marker in THROTTLE_MARKERS:
        if marker.lower() in text.lower():
            return marker
    title = re.search(r"<title>\s*([^<]{1,120})", text, re.I)
    return f"HTTP 403 {title.group(1).strip()!r}" if title else "HTTP 403"
