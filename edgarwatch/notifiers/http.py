"""One base for HTTP channels: a session, one POST, and HTTP's status classes judged once.

What an answer means is the same for every HTTP channel (RFC 9110):

* 2xx: accepted;
* 5xx, 408 Request Timeout, 425 Too Early, 429 Too Many Requests: later —
  retried with backoff, never sooner than the answer's `Retry-After`;
* 3xx: final — redirects are not followed (a URL that moved is configured
  anew, never chased: it could lead anywhere);
* any other 4xx: final;
* no answer: transient — a timeout, a refused connection, and a certificate
  that cannot be verified too (retried, but as an alert: see `base.py`).

A channel overrides only what its service adds (`explain`: Slack's error
strings) and how it names itself in messages. Messages never quote the URL
(it is the secret): they name the service, the status and its answer, redacted.
"""

from __future__ import annotations

import http.client
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests

from edgarwatch import __version__
from edgarwatch.notifiers.base import (
    Notifier,
    NotifierError,
    certificate_failure,
    parse_retry_after,
    root_cause,
    untrusted_certificate,
)
from edgarwatch.secrets import redact

RETRYABLE_STATUSES = frozenset({408, 425, 429})
"""4xx answers that mean "later"; every other 4xx is final."""
ANSWER_BYTES = 512
"""How much of an answer is read: enough for an error string, never a whole page."""


class HttpNotifier(Notifier):
    """A channel that POSTs to a URL; subclasses build the request and name the service."""

    service: ClassVar[str]
    """How messages name the service's answers: "Slack", "webhook"."""
    endpoint: ClassVar[str]
    """How messages name what was unreachable: "Slack webhook", "webhook"."""
    silent_answer: ClassVar[str] = ""
    """Shown when a refusal has no body."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.session = requests.Session()
        self.session.headers["User-Agent"] = f"edgarwatch/{__version__}"

    def post(self, url: str, **request: Any) -> None:
        """POST, never following a redirect; raise NotifierError unless the answer is 2xx.

        A POST the server hangs up on without a word (it was closing the kept-alive
        connection we reused: servers close idle ones) goes once more, at once, on a
        new connection, rather than waiting out a retry delay.
        """
        try:
            try:
                response, answer = self._exchange(url, request)
            except requests.ConnectionError as exc:
                if not _hung_up(exc):
                    raise
                response, answer = self._exchange(url, request)
        except requests.RequestException as exc:
            raise self.unreachable(exc, url) from None
        body = answer.decode("utf-8", "replace").strip()
        self.observe(response.headers)
        self.raise_for_response(response.status_code, body, response.headers.get("Retry-After"))

    def _exchange(self, url: str, request: dict[str, Any]) -> tuple[requests.Response, bytes]:
        response = self.session.post(
            url, timeout=self.settings.timeout, allow_redirects=False, stream=True, **request
        )
        with response:
            return response, next(response.iter_content(ANSWER_BYTES), b"")

    def observe(self, headers: Mapping[str, str]) -> None:
        """Read what every answer says about pacing (Discord's rate-limit headers)."""

    def raise_for_response(self, status: int, body: str, retry_after: str | None) -> None:
        """Judge the answer by its status class (see the module docstring)."""
        if 200 <= status < 300:
            return
        said = redact(" ".join(body.split()))[:200] or self.silent_answer
        text = f"{self.service} answered HTTP {status}" + (f": {said}" if said else "")
        if status >= 500 or status in RETRYABLE_STATUSES:
            raise NotifierError(text, retry_after=parse_retry_after(retry_after))
        if 300 <= status < 400:
            raise NotifierError(text + self.redirect_hint(), permanent=True)
        raise NotifierError(text + self.explain(status, body), permanent=True)

    def redirect_hint(self) -> str:
        return " (redirects are not followed: configure the final URL)"

    def explain(self, status: int, body: str) -> str:
        """What this service means by a final refusal (appended to the message)."""
        return ""

    def unreachable(self, exc: requests.RequestException, url: str = "") -> NotifierError:
        """A transient error naming what failed, never requests' message (it quotes the URL)."""
        untrusted = certificate_failure(exc)
        if untrusted is not None:
            parts = urlsplit(url)
            where = f"{self.endpoint} {parts.hostname}:{parts.port or 443}"
            return untrusted_certificate(where, untrusted, "")
        if isinstance(exc, requests.exceptions.SSLError):
            return NotifierError(f"{self.endpoint} TLS failed ({root_cause(exc)})", alert=True)
        if isinstance(exc, requests.Timeout):
            return NotifierError(f"{self.endpoint} timed out after {self.settings.timeout:g} s")
        if isinstance(exc, requests.ConnectionError):
            return NotifierError(f"{self.endpoint} connection failed ({root_cause(exc)})")
        return NotifierError(f"{self.endpoint} request failed ({type(exc).__name__})")

    def close(self) -> None:
        self.session.close()


def _hung_up(exc: BaseException) -> bool:
    """The server closed the connection without answering (not refused, not timed out)."""
    current: BaseException | None = exc
    for _ in range(10):
        if current is None:
            return False
        if isinstance(current, http.client.RemoteDisconnected | BrokenPipeError):
            return True
        if isinstance(current, ConnectionResetError):
            return True
        reason = getattr(current, "reason", None)
        first = current.args[0] if current.args else None
        nested = next((c for c in current.args if isinstance(c, BaseException)), None)
        current = (
            reason
            if isinstance(reason, BaseException)
            else first
            if isinstance(first, BaseException)
            else nested or current.__cause__ or current.__context__
        )
    return False
