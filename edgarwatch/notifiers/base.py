"""The notifier contract: one small class per channel, one error type.

A notifier sends one filing report to one channel and either returns (the
channel accepted it: the outbox row is then marked sent) or raises
`NotifierError`. `permanent=True` means retrying cannot help (Slack
`invalid_token`, an SMTP 5xx): the row goes straight to `dead`. Otherwise the
dispatcher retries later with exponential backoff and full jitter, waiting at
least `retry_after` seconds when the channel said so (Slack 429
`Retry-After`).

Pacing and bursts: every notifier has a `pacer` (`pacing.py`), set from its
`min_interval_seconds` and by what the service says (Retry-After, Discord's
rate-limit headers); the dispatcher waits for it before each send. A channel
that can say many filings in one message sets `max_summary_lines` and
implements `send_summary(burst)`: when more than its `coalesce_above` rows are
due at once, the dispatcher sends them as summaries (`summary.py`).

Digests and alarms (`message.py`): `send_message(message, delivery)` says a
`Message` — a title, a summary, groups of entries with links — in the
channel's own format (Slack blocks, an email, a Teams card, a Discord embed,
a JSON document `{"type": "digest"|"alarm", …}`, plain text), escaped like
filer text, fitting at most `message_capacity` entries (the rest counted in
one line). The outcomes are a filing's: return when the channel accepted it,
raise `NotifierError` otherwise. A channel that cannot say messages keeps the
default, a permanent error (the row is dead, logged at error level).

Adding a channel is one module that subclasses `Notifier`, sets `kind` to its
config table's name, declares its settings as a frozen dataclass (its keys
and their checks as field metadata, see `edgarwatch.settings`) named by
`settings_type`, and registers itself with `@register`; nothing else changes:
`edgarwatch.config` reads `[kind]` and `[channels.NAME] kind = "…"` tables
for every registered kind. Error messages must never contain a secret: build them from status
codes and server replies, and pass anything foreign through
`edgarwatch.secrets.redact`.

**A certificate that cannot be verified is transient, and an alert** (issue
8.10), for every channel alike — the HTTP base (`http.py`) and email. Retrying
it cannot hurt (nothing was sent: the handshake failed before a byte of the
message left) and the causes are mostly not the channel's configuration: a
host clock that drifted, a CA bundle updated or pruned, a corporate proxy
re-signing traffic, the provider's own certificate incident. healthchecks
retries TLS failures like any network error (`CurlError` → `TransportError`,
not permanent) and Apprise does not classify them at all; "a channel down is
retried later, never dropped" requires the same here: the row stays pending
until it goes through or gives up after `notify.give_up_hours`, so fixing
`ca_file` or the clock delivers what waited. What differs from a timeout is
the noise: `alert=True` makes the dispatcher log every attempt at error level
(and `test-notify` say it needs attention), because unlike a blip it will not
fix itself. Verification is never switched off as a fallback.
"""

from __future__ import annotations

import ssl
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

from edgarwatch.backoff import parse_retry_after, root_cause
from edgarwatch.filing import FilingReport
from edgarwatch.notifiers.pacing import Pacer
from edgarwatch.secrets import redact

if TYPE_CHECKING:
    from edgarwatch.notifiers.message import Message
    from edgarwatch.notifiers.summary import Burst


class NotifierError(Exception):
    """A channel did not accept a notification."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        alert: bool = False,
    ) -> None:
        self.message = redact(message)
        self.permanent = permanent
        self.retry_after = retry_after
        self.alert = alert
        """Transient, but a person should look now (an untrusted certificate)."""
        super().__init__(self.message)


class RecipientsRefused(NotifierError):
    """Some of a message's recipients did not take it (email; RFC 5321 section 4.2.1).

    `pending`: refused for now (4xx), to be retried alone; `refused`: address →
    reply, refused for good (5xx). `delivered`: whether anyone took it. The
    row is never "sent" while someone is pending: a 4xx recipient would
    otherwise never get it (issue 8.6), and never re-sent to those who did.
    """

    def __init__(
        self,
        message: str,
        *,
        pending: tuple[str, ...],
        refused: dict[str, str],
        delivered: bool,
    ) -> None:
        super().__init__(message, permanent=not pending)
        self.pending = pending
        self.refused = {address: redact(reply) for address, reply in refused.items()}
        self.delivered = delivered


def certificate_failure(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate verification error somewhere in `exc`'s chain, if that is what failed.

    requests wraps it three deep (SSLError → MaxRetryError → SSLError →
    SSLCertVerificationError); smtplib raises it as is.
    """
    current: BaseException | None = exc
    for _ in range(10):
        if current is None:
            return None
        if isinstance(current, ssl.SSLCertVerificationError):
            return current
        reason = getattr(current, "reason", None)
        first = current.args[0] if current.args else None
        if isinstance(reason, BaseException):
            current = reason
        elif isinstance(first, BaseException):
            current = first
        else:
            current = current.__cause__ or current.__context__
    return None


def untrusted_certificate(
    where: str, exc: ssl.SSLCertVerificationError, hint: str
) -> NotifierError:
    """The one error every channel raises for a certificate it could not verify."""
    reason = redact(str(exc.verify_message or exc.reason or "verification failed"))
    return NotifierError(
        f"the TLS certificate of {where} could not be verified ({reason}){hint}", alert=True
    )


class ChannelSettings(Protocol):
    """What every channel's settings have: the channel's name and its kind."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...


@dataclass(frozen=True)
class Delivery:
    """One attempt to deliver one outbox row.

    `id` is the same on every retry of the row, so a receiver can drop
    repeats (at-least-once delivery can send twice after a crash).
    """

    id: str
    channel: str
    rule: str
    items: tuple[str, ...]
    attempt: int = 1
    recipients: tuple[str, ...] | None = None
    """Send only to these (a retry for recipients refused for now); None: everyone."""


class Notifier(ABC):
    """Sends filing reports to one configured channel."""

    kind: ClassVar[str]
    settings_type: ClassVar[type[Any]]
    """The frozen dataclass of this channel's settings (its config table's keys)."""
    max_summary_lines: ClassVar[int] = 0
    """How many filings one summary message can list (0: this channel never coalesces)."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.pacer = Pacer(float(getattr(settings, "min_interval_seconds", 0.0)))
        """When this channel may send next (the dispatcher waits for it)."""

    @property
    def name(self) -> str:
        name = getattr(self.settings, "name", self.kind)
        assert isinstance(name, str)
        return name

    @abstractmethod
    def send(self, report: FilingReport, delivery: Delivery) -> None:
        """Deliver or raise NotifierError; must not block longer than its timeout."""

    @property
    def summary_capacity(self) -> int:
        """Filings one summary may list; 0 when the channel cannot send summaries."""
        return self.max_summary_lines

    @property
    def coalesce_above(self) -> int:
        """More due rows than this at once are sent as summaries (0: never)."""
        if not self.summary_capacity:
            return 0
        return int(getattr(self.settings, "coalesce_above", 0))

    def send_summary(self, burst: Burst) -> None:
        """Deliver one message listing every filing of `burst`, or raise NotifierError."""
        raise NotImplementedError(f"{self.kind} does not send summaries")

    @property
    def message_capacity(self) -> int:
        """Entries one digest or alarm message may list (the summary's capacity, else 40)."""
        return self.summary_capacity or 40

    def send_message(self, message: Message, delivery: Delivery) -> None:
        """Deliver a digest or an alarm (`message.py`), or raise NotifierError."""
        raise NotifierError(f"{self.kind} channels cannot send digests or alarms", permanent=True)

    def config_key(self, field: str) -> str:
        """The config.toml key of one of this channel's settings, for error messages."""
        prefix = self.kind if self.name == self.kind else f"channels.{self.name}"
        return f"{prefix}.{field}"

    def close(self) -> None:  # noqa: B027 - optional hook, most channels hold nothing
        """Release connections; called when the daemon stops."""


_N = TypeVar("_N", bound=type[Notifier])

REGISTRY: dict[str, type[Notifier]] = {}


def register(cls: _N) -> _N:
    REGISTRY[cls.kind] = cls
    return cls


def notifier_for(settings: Any) -> Notifier:
    """Build the notifier for a channel's settings (`settings.kind` picks the class)."""
    from edgarwatch import notifiers  # noqa: F401 - importing registers every channel

    return REGISTRY[settings.kind](settings)


NotifierFactory = Callable[[Any], Notifier]

__all__ = [
    "REGISTRY",
    "ChannelSettings",
    "Delivery",
    "Notifier",
    "NotifierError",
    "RecipientsRefused",
    "certificate_failure",
    "notifier_for",
    "parse_retry_after",
    "register",
    "root_cause",
    "untrusted_certificate",
]
