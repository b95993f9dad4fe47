"""Apprise: any service Apprise speaks (Telegram, ntfy, Pushover, Matrix, PagerDuty, …).

For the long tail of services edgarwatch has no channel of its own for, one
Apprise URL per channel (github.com/caronc/apprise/wiki): `tgram://BOT/CHAT`,
`ntfy://ntfy.sh/TOPIC`, `pover://USER@TOKEN`, `matrixs://…`, `pagerduty://…`.
It needs the optional package: `pip install 'edgarwatch[apprise]'`; without
it, `check-config` says so and exits 78.

**"Delivered or failed, not classified."** Apprise answers success or
failure and nothing else (notes/apprise.md: its plugins log the reason and
return False; no status, no permanence). So every failure here is
transient: the outbox retries it with backoff until it goes through or is
given up on after `notify.give_up_hours`, and then it is dead. The reason
is Apprise's own log lines for the attempt (captured per call by Apprise,
`AppriseResult.logs()`, not the process-wide `LogCapture`, which would mix
two channels' lines), passed through `redact`.

Apprise's own retrying and throttling are switched off per instance, so the
outbox is the only one retrying and the channel's pacer the only one
pacing: `retry = 0` (a `?retry=` in the URL would otherwise resend) and
`request_rate_per_sec = 0` (which is *seconds between requests*, 5.5 by
default for most plugins, and would sleep inside a send). Some plugins still
wait on their own (Discord's on `X-RateLimit-Remaining: 0`).

The URL is the secret (a bot token is often its host): it is never logged or
shown; messages name the service by `url(privacy=True)` without its query.
A message is the plain-text rendering, trimmed to the plugin's own
`body_maxlen` (Pushover 1,024, Telegram 4,096, …) and `title_maxlen`, so
Apprise has nothing to split or cut.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from edgarwatch.filing import FilingReport
from edgarwatch.notifiers.base import Delivery, Notifier, NotifierError, register
from edgarwatch.notifiers.message import Message, message_text
from edgarwatch.notifiers.plain import plain_text
from edgarwatch.notifiers.render import render
from edgarwatch.notifiers.summary import Burst, render_summary
from edgarwatch.notifiers.text import trim
from edgarwatch.secrets import Secret, redact
from edgarwatch.settings import setting

logger = logging.getLogger(__name__)

INSTALL = "pip install 'edgarwatch[apprise]'"
SUMMARY_LINE = 160
"""Characters a summary line may take; a summary lists body_maxlen // this filings."""
MAX_SUMMARY = 30
DETAIL_LIMIT = 500


def _apprise() -> Any:
    """The apprise module, or None when the optional package is not installed."""
    try:
        import apprise
    except ImportError:
        return None
    return apprise


@dataclass(frozen=True)
class AppriseSettings:
    """[apprise] (or [channels.NAME] with kind = "apprise")."""

    name: str
    url: Secret = setting(required="an Apprise URL, e.g. tgram://BOT_TOKEN/CHAT_ID")
    timeout: float = setting(10.0, minimum=0.1)
    min_interval_seconds: float = setting(1.0, minimum=0)
    coalesce_above: int = setting(10, minimum=0)
    kind: Literal["apprise"] = "apprise"

    def problems(self) -> Iterator[tuple[str, str]]:
        apprise = _apprise()
        if apprise is None:
            yield "kind", f"'apprise' needs the apprise package: {INSTALL}"
        elif apprise.Apprise.instantiate(self.url.reveal()) is None:
            yield "url", "is not a URL Apprise knows (see github.com/caronc/apprise/wiki)"


@register
class AppriseNotifier(Notifier):
    """[apprise] Send each filing through Apprise to almost any service.

        [apprise]
        url = "tgram://BOT_TOKEN/CHAT_ID"   # or $EDGARWATCH_APPRISE_URL; any Apprise URL
        timeout = 10                        # seconds, connect and read
        min_interval_seconds = 1            # e.g. 3 for a Telegram group (20 a minute)
        coalesce_above = 10                 # more due at once: summaries (0: never)

    Needs `pip install 'edgarwatch[apprise]'`. The message is plain text:
    the subject as title; company, form, items, accepted time, the items'
    text and the links in the body, trimmed to what the service takes. Apprise
    only says "delivered" or "failed": every failure is retried until it goes
    through or is given up on.
    """

    kind = "apprise"
    settings_type = AppriseSettings
    settings: AppriseSettings

    def __init__(self, settings: AppriseSettings) -> None:
        super().__init__(settings)
        self._sender: Any = None
        self._service: Any = None

    @property
    def service(self) -> Any:
        """The Apprise plugin instance, built once, its own retries and throttle off."""
        if self._service is None:
            apprise = _apprise()
            if apprise is None:
                raise NotifierError(f"apprise is not installed: {INSTALL}", permanent=True)
            service = apprise.Apprise.instantiate(self.settings.url.reveal())
            if service is None:
                raise NotifierError(
                    f"{self.config_key('url')} is not a URL Apprise knows", permanent=True
                )
            service.retry = 0  # the outbox retries
            service.request_rate_per_sec = 0  # seconds between sends: the pacer paces
            service.socket_connect_timeout = self.settings.timeout
            service.socket_read_timeout = self.settings.timeout
            sender = apprise.Apprise(asset=apprise.AppriseAsset(async_mode=False))
            sender.add(service)
            self._sender, self._service = sender, service
        return self._service

    @property
    def where(self) -> str:
        """`ntfy via Apprise (ntfy://host/****)`: the plugin's name and its URL as Apprise
        shows it with secrets masked (privacy=True), without the query, redacted."""
        service = self.service
        shown = redact(str(service.url(privacy=True)).split("?", 1)[0])
        return f"{service.service_name} via Apprise ({shown})"

    @property
    def summary_capacity(self) -> int:
        try:
            room = int(self.service.body_maxlen)
        except NotifierError:
            return 0
        return max(2, min(MAX_SUMMARY, room // SUMMARY_LINE))

    def send(self, report: FilingReport, delivery: Delivery) -> None:
        room = int(self.service.body_maxlen)
        for budget in (room // 2, room // 4, room // 8, 100, 0):  # item text gives way first
            notice = render(report, delivery, text_limit=budget)
            body = plain_text(notice).replace(f"{notice.subject}\n\n", "", 1).strip()
            if len(body) <= room:
                break
        self.notify(notice.subject, body)
        logger.info(
            "apprise %s: sent %s (delivery %s)", self.name, report.filing.accession, delivery.id
        )

    def send_summary(self, burst: Burst) -> None:
        notice = render_summary(burst)
        lines = []
        for line in notice.lines:
            link = f" {line.filing_url}" if line.filing_url else ""
            lines.append(trim(f"- {line.text}", SUMMARY_LINE - len(link) - 1) + link)
        self.notify(notice.title, "\n".join([*lines, "", notice.footer]))
        logger.info("apprise %s: sent a summary of %d filings", self.name, len(notice.lines))

    @property
    def message_capacity(self) -> int:
        return self.summary_capacity or 2

    def send_message(self, message: Message, delivery: Delivery) -> None:
        """Plain text without the title (Apprise sends it as the title), entries fewer and
        fewer until the body fits the service (a digest of a busy day on Pushover)."""
        room = int(self.service.body_maxlen)
        limit = self.message_capacity
        while True:
            text = message_text(message, limit).replace(f"{message.title}\n\n", "", 1).strip()
            if len(text) <= room or limit == 0:
                break
            limit //= 2
        self.notify(message.title, f"{text}\ndelivery {delivery.id}")
        logger.info("apprise %s: sent a %s (delivery %s)", self.name, message.kind, delivery.id)

    def notify(self, title: str, body: str) -> None:
        """One Apprise notification; any failure is transient (Apprise does not say more)."""
        service = self.service
        title = trim(title, int(service.title_maxlen or 250)) if service.title_maxlen else ""
        body = trim(body, int(service.body_maxlen))
        apprise = _apprise()
        result = self._sender.notify(body=body, title=title, body_format=apprise.NotifyFormat.TEXT)
        if result:
            return
        raise NotifierError(f"{self.where} failed: {_detail(result)}")


def _detail(result: Any) -> str:
    """The WARNING/ERROR lines Apprise logged for this call, redacted."""
    lines = [
        " ".join(str(entry.message).split())
        for entry in getattr(result, "logs", lambda: ())()
        if str(getattr(entry, "level", "")).upper() in ("WARNING", "ERROR", "CRITICAL")
    ]
    detail = "; ".join(dict.fromkeys(lines)) or "no reason given"
    return redact(detail)[:DETAIL_LIMIT]
