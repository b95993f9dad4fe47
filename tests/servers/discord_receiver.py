"""A loopback Discord webhook, answering as Discord does (notes/discord.md).

* `POST /api/v10/webhooks/{id}/{token}?wait=true` → 200 with the created
  message; without `wait` → 204 (a message that is not saved is not an error);
* another id → 404 `{"message": "Unknown Webhook", "code": 10015}`; the right
  id with another token → 401 `{"message": "Invalid Webhook Token", "code": 50027}`;
* a payload over a limit (content 2,000; 10 embeds; title 256, description
  4,096, 25 fields of 256/1,024, footer 2,048; 6,000 in all) → 400
  `{"code": 50035, "message": "Invalid Form Body", "errors": …}`;
* a rate limit per webhook, 5 requests per 2 s by default (observed, not
  documented): `X-RateLimit-Limit/Remaining/Reset/Reset-After/Bucket` on every
  answer; past it, 429 with `Retry-After` (whole seconds), `X-RateLimit-Scope:
  user` and `{"message": "You are being rate limited.", "retry_after": 0.734,
  "global": false}` (float seconds).

`messages` holds the accepted payloads; `pings` the mentions a payload would
have fired (`@everyone`, `@here`, `<@id>` in `content` without
`allowed_mentions: {"parse": []}`).
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.servers.slack_receiver import HttpReceiver, Received, Reply

WEBHOOK_ID = "1234567890123456789"
TOKEN = "dQw4w9WgXcQ-webhook-token_T0k3nV4lu3sH0uldN3v3rL34k"
WEBHOOK_PATH = f"/api/v10/webhooks/{WEBHOOK_ID}/{TOKEN}"
_MENTION = re.compile(r"@everyone|@here|<@[!&]?\d+>")


def discord_error(status: int, code: int, message: str) -> Reply:
    body = json.dumps({"message": message, "code": code})
    return Reply(status, body, {"Content-Type": "application/json"})


UNKNOWN_WEBHOOK = discord_error(404, 10015, "Unknown Webhook")
INVALID_TOKEN = discord_error(401, 50027, "Invalid Webhook Token")


def invalid_form(errors: dict[str, Any]) -> Reply:
    body = json.dumps({"code": 50035, "message": "Invalid Form Body", "errors": errors})
    return Reply(400, body, {"Content-Type": "application/json"})


class Window:
    """Discord's bucket as the headers describe it: `limit` requests per `per` seconds."""

    def __init__(self, limit: int, per: float) -> None:
        self.limit, self.per = limit, per
        self.started = 0.0
        self.used = 0
        self.lock = threading.Lock()

    def take(self) -> tuple[bool, int, float]:
        """(allowed, remaining, reset_after)."""
        with self.lock:
            now = time.monotonic()
            if now - self.started >= self.per:
                self.started, self.used = now, 0
            reset_after = self.per - (now - self.started)
            if self.used >= self.limit:
                return False, 0, reset_after
            self.used += 1
            return True, self.limit - self.used, reset_after


class DiscordReceiver(HttpReceiver):
    def __init__(
        self, *, limit: int = 5, per: float = 2.0, webhook_path: str = WEBHOOK_PATH
    ) -> None:
        super().__init__(path=webhook_path, default=Reply(200, ""))
        self.window = Window(limit, per)
        self.messages: list[dict[str, Any]] = []
        self.pings: list[str] = []
        self.throttled = 0

    @property
    def url(self) -> str:
        """As Discord's UI copies it: unversioned, without `wait`."""
        return f"http://127.0.0.1:{self.port}" + self.path.replace("/api/v10/", "/api/")

    def answer(self, request: Received) -> Reply:
        parts = urlsplit(request.path)
        found = re.match(r"^/api/v10/webhooks/(\d+)/([^/]+)$", parts.path)
        if not found or found.group(1) != WEBHOOK_ID:
            return UNKNOWN_WEBHOOK
        if found.group(2) != TOKEN:
            return INVALID_TOKEN
        allowed, remaining, reset_after = self.window.take()
        headers = {
            "X-RateLimit-Limit": str(self.window.limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": "edgarwatch-test-bucket",
        }
        if not allowed:
            with self._lock:
                self.throttled += 1
            body = {
                "message": "You are being rate limited.",
                "retry_after": round(reset_after, 3),
                "global": False,
            }
            limited = {"Retry-After": str(math.ceil(reset_after)), "X-RateLimit-Scope": "user"}
            return Reply(
                429, json.dumps(body), {**headers, **limited, "Content-Type": "application/json"}
            )
        reply = self.scripted() or self.default
        if reply.status >= 300:
            return reply
        try:
            payload = json.loads(request.body)
        except ValueError:
            return invalid_form(
                {"_errors": [{"code": "MODEL_TYPE_CONVERT", "message": "Not JSON"}]}
            )
        problem = payload_problem(payload)
        if problem:
            return invalid_form(problem)
        self.accept(payload)
        if parse_qs(parts.query).get("wait") != ["true"]:
            return Reply(204, "", headers)
        message = {"id": str(len(self.messages)), "type": 0, "webhook_id": WEBHOOK_ID, **payload}
        return Reply(200, json.dumps(message), {**headers, "Content-Type": "application/json"})

    def accept(self, payload: dict[str, Any]) -> None:
        with self._lock:
            self.messages.append(payload)
            if payload.get("allowed_mentions") != {"parse": []}:
                self.pings += _MENTION.findall(payload.get("content") or "")


def payload_problem(payload: Any) -> dict[str, Any] | None:
    """Discord's per-field errors for a payload it would refuse, or None."""
    if not isinstance(payload, dict) or not (payload.get("content") or payload.get("embeds")):
        return {
            "_errors": [{"code": "BASE_TYPE_REQUIRED", "message": "Cannot send an empty message"}]
        }
    if len(payload.get("content") or "") > 2000:
        return {"content": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH"}]}}
    embeds = payload.get("embeds") or []
    if len(embeds) > 10:
        return {"embeds": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH"}]}}
    total = 0
    for index, embed in enumerate(embeds):
        limits = {"title": 256, "description": 4096}
        for key, limit in limits.items():
            if len(embed.get(key, "")) > limit:
                return {
                    "embeds": {str(index): {key: {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH"}]}}}
                }
        fields = embed.get("fields", [])
        if len(fields) > 25 or any(
            len(f["name"]) > 256 or len(f["value"]) > 1024 or not f["value"] for f in fields
        ):
            return {
                "embeds": {str(index): {"fields": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH"}]}}}
            }
        if len(embed.get("footer", {}).get("text", "")) > 2048:
            return {
                "embeds": {str(index): {"footer": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH"}]}}}
            }
        total += len(embed.get("title", "")) + len(embed.get("description", ""))
        total += sum(len(f["name"]) + len(f["value"]) for f in fields)
        total += len(embed.get("footer", {}).get("text", "")) + len(
            embed.get("author", {}).get("name", "")
        )
    if total > 6000:
        return {
            "embeds": {
                "_errors": [
                    {
                        "code": "MAX_EMBED_SIZE_EXCEEDED",
                        "message": "Embed size exceeds maximum size of 6000",
                    }
                ]
            }
        }
    return None
