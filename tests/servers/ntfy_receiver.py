"""A loopback ntfy server, for the Apprise channel (Apprise's `ntfy://HOST:PORT/TOPIC`).

Apprise's ntfy plugin POSTs `{"topic", "title", "message"}` as JSON to `/`.
The answers are ntfy's: 200 with the published message
(`{"id", "time", "event": "message", "topic", …}`); for a topic this server
does not publish to, 403 `{"code": 40301, "http": 403, "error": "forbidden"}`;
past `rate_limit`, 429 `{"code": 42901, "http": 429, "error": "limit reached:
too many requests, please be nice"}` (ntfy's visitor request limit).
"""

from __future__ import annotations

import json
import math
import time
from typing import Any

from tests.servers.slack_receiver import HttpReceiver, RateLimit, Received, Reply

TOPIC = "edgar-filings-7f3a9c2e1b5d"


def ntfy_error(status: int, code: int, error: str) -> Reply:
    body = json.dumps({"code": code, "http": status, "error": error})
    return Reply(status, body, {"Content-Type": "application/json"})


FORBIDDEN = ntfy_error(403, 40301, "forbidden")
TOO_MANY = ntfy_error(429, 42901, "limit reached: too many requests, please be nice")


class NtfyReceiver(HttpReceiver):
    def __init__(self, *, rate_limit: float | None = None, burst: int = 1) -> None:
        super().__init__(path="/", default=Reply(200, ""))
        self.limit = RateLimit(rate_limit, burst) if rate_limit else None
        self.throttled = 0
        self.messages: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        """The Apprise URL of this server's topic."""
        return f"ntfy://127.0.0.1:{self.port}/{TOPIC}"

    def answer(self, request: Received) -> Reply:
        try:
            payload = json.loads(request.body)
        except ValueError:
            return ntfy_error(400, 40001, "invalid request: message invalid")
        if request.path != "/" or payload.get("topic") != TOPIC:
            return FORBIDDEN
        wait = self.limit.take() if self.limit else 0.0
        if wait:
            with self._lock:
                self.throttled += 1
            return Reply(
                TOO_MANY.status,
                TOO_MANY.body,
                {**TOO_MANY.headers, "Retry-After": str(math.ceil(wait))},
            )
        reply = self.scripted() or self.default
        if reply.status >= 300:
            return reply
        with self._lock:
            self.messages.append(payload)
        published = {
            "id": f"m{len(self.messages)}",
            "time": int(time.time()),
            "event": "message",
            **payload,
        }
        return Reply(200, json.dumps(published), {"Content-Type": "application/json"})
