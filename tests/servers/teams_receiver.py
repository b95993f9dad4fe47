"""A loopback Teams *Workflows* trigger ("Post to a channel when a webhook request is received").

Answers as the real trigger does (notes/teams.md):

* `202 Accepted`, empty body, for any JSON request on its path with the right
  `sig=`. Like the real one it does not look inside before answering: the
  flow runs afterwards, and what would fail there — no `attachments`
  (template action 'Send_each_adaptive_card' … 'foreach' … is of type
  'Null'), a message over ~28 KB ("Request Entity too large"), a card Teams
  cannot render — is recorded in `flow_failures`, not answered;
* `404 WorkflowNotFound` on another path, `401
  DirectApiInvalidAuthorizationSignature` for a wrong `sig=`, `409
  WorkflowTriggerIsNotEnabled` when `enabled` is False (the status of that one
  is unconfirmed), `400 TriggerInputSchemaMismatch` for a body that is not JSON;
  each in the Logic Apps envelope `{"error": {"code", "message"}}`;
* with `rate_limit`, 429 with the same envelope and Retry-After.

Accepted cards are in `cards`.
"""

from __future__ import annotations

import json
import math
import threading
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.servers.slack_receiver import HttpReceiver, RateLimit, Received, Reply

WORKFLOW_PATH = "/workflows/0123456789abcdef0123456789abcdef/triggers/manual/paths/invoke"
SIG = "Kq1t0ps3cr3tS1gn4tur3v4lu3ForTh3W0rkfl0wA"
QUERY = f"api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={SIG}"
SIZE_LIMIT = 28 * 1024
TEXT_ELEMENTS = {"TextBlock", "RichTextBlock", "FactSet", "ColumnSet", "Container", "Image"}


def logic_apps_error(status: int, code: str, message: str, **headers: str) -> Reply:
    body = json.dumps({"error": {"code": code, "message": message}})
    return Reply(status, body, {"Content-Type": "application/json", **headers})


WORKFLOW_NOT_FOUND = logic_apps_error(
    404, "WorkflowNotFound", "The workflow '0123456789abcdef' could not be found."
)
BAD_SIGNATURE = logic_apps_error(
    401,
    "DirectApiInvalidAuthorizationSignature",
    "The provided authorization signature is not valid.",
)
TRIGGER_OFF = logic_apps_error(
    409,
    "WorkflowTriggerIsNotEnabled",
    "Could not execute workflow '0123456789abcdef' trigger 'manual' with state 'Suspended': "
    "trigger is not enabled.",
)
SCHEMA_MISMATCH = logic_apps_error(
    400,
    "TriggerInputSchemaMismatch",
    "The input body for trigger 'manual' of type 'Request' did not match its schema definition.",
)
ACCEPTED = Reply(202, "")


def throttled(retry_after: int) -> Reply:
    return logic_apps_error(
        429,
        "TooManyRequests",
        "The server is experiencing a high load of requests. Please retry later.",
        **{"Retry-After": str(retry_after)},
    )


class TeamsReceiver(HttpReceiver):
    """Plays a Workflows trigger (see the module docstring)."""

    def __init__(self, *, rate_limit: float | None = None, burst: int = 1) -> None:
        super().__init__(path=WORKFLOW_PATH, default=ACCEPTED)
        self.enabled = True
        self.cards: list[dict[str, Any]] = []
        self.flow_failures: list[str] = []
        self.limit = RateLimit(rate_limit, burst) if rate_limit else None
        self.throttled = 0
        self._flow = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{WORKFLOW_PATH}?{QUERY}"

    def answer(self, request: Received) -> Reply:
        parts = urlsplit(request.path)
        if parts.path != WORKFLOW_PATH:
            return WORKFLOW_NOT_FOUND
        if parse_qs(parts.query).get("sig") != [SIG]:
            return BAD_SIGNATURE
        if not self.enabled:
            return TRIGGER_OFF
        wait = self.limit.take() if self.limit else 0.0
        if wait:
            with self._flow:
                self.throttled += 1
            return throttled(math.ceil(wait))
        reply = self.scripted() or self.default
        if reply.status >= 300:
            return reply
        try:
            payload = json.loads(request.body)
        except ValueError:
            return SCHEMA_MISMATCH
        self.run_flow(payload, len(request.body))
        return reply

    def run_flow(self, payload: Any, size: int) -> None:
        """What the flow does after the 202: post each card, or fail in its run history."""
        problem = flow_problem(payload, size)
        with self._flow:
            if problem:
                self.flow_failures.append(problem)
            else:
                self.cards.extend(a["content"] for a in payload["attachments"])


def flow_problem(payload: Any, size: int) -> str | None:
    if size > SIZE_LIMIT:
        return "Request Entity too large"
    attachments = payload.get("attachments") if isinstance(payload, dict) else None
    if not isinstance(attachments, list):
        return (
            "The execution of template action 'Send_each_adaptive_card' failed: the result of "
            "the evaluation of 'foreach' expression '@triggerOutputs()?['body']?['attachments']' "
            "is of type 'Null'."
        )
    for attachment in attachments:
        problem = card_problem(attachment)
        if problem:
            return problem
    return None


def card_problem(attachment: Any) -> str | None:
    if attachment.get("contentType") != "application/vnd.microsoft.card.adaptive":
        return "not an Adaptive Card attachment"
    card = attachment.get("content")
    if not isinstance(card, dict) or card.get("type") != "AdaptiveCard":
        return "the attachment's content is not an AdaptiveCard"
    if card.get("version") not in ("1.0", "1.1", "1.2", "1.3", "1.4"):
        return f"unsupported card version {card.get('version')!r}"
    for element in card.get("body", []):
        if element.get("type") not in TEXT_ELEMENTS:
            return f"unknown element {element.get('type')!r}"
        if element["type"] == "RichTextBlock" and not all(
            i.get("type") == "TextRun" and isinstance(i.get("text"), str)
            for i in element["inlines"]
        ):
            return "RichTextBlock inlines must be TextRuns"
    for action in card.get("actions", []):
        if action.get("type") != "Action.OpenUrl" or not str(action.get("url", "")).startswith(
            "http"
        ):
            return "bad action"
    return None
