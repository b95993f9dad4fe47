"""The notifier contract: one small class per channel, one error type.

A notifier sends one filing report to one channel and either returns (the
channel accepted it: the outbox row is then marked sent) or raises
`NotifierError`. `permanent=True` means retrying cannot help (Slack
`invalid_token`, an SMTP 5xx): the row goes straight to `dead`. Otherwise the
dispatcher retries later with exponential backoff and full jitter, waiting at
least `retry_after` seconds when the channel said so (Slack 429
`Retry-After`).

Adding a channel is one module that subclasses `Notifier`, sets `kind` to its
config table's name, declares its settings as a frozen dataclass (its keys
and their checks as field metadata, see `edgarwatch.settings`) named by
`settings_type`, and registers itself with `@register`; nothing else changes:
`edgarwatch.config` reads `[kind]` and `[channels.NAME] kind = "…"` tables
for every registered kind. Error messages must never contain a secret: build them from status
codes and server replies, and pass anything foreign through
`edgarwatch.secrets.redact`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, TypeVar

from edgarwatch.backoff import parse_retry_after, root_cause
from edgarwatch.filing import FilingReport
from edgarwatch.secrets import redact


class NotifierError(Exception):
    """A channel did not accept a notification."""

    def __init__(
        self, message: str, *, permanent: bool = False, retry_after: float | None = None
    ) -> None:
        self.message = redact(message)
        self.permanent = permanent
        self.retry_after = retry_after
        super().__init__(self.message)


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


class Notifier(ABC):
    """Sends filing reports to one configured channel."""

    kind: ClassVar[str]
    settings_type: ClassVar[type[Any]]
    """The frozen dataclass of this channel's settings (its config table's keys)."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings

    @property
    def name(self) -> str:
        name = getattr(self.settings, "name", self.kind)
        assert isinstance(name, str)
        return name

    @abstractmethod
    def send(self, report: FilingReport, delivery: Delivery) -> None:
        """Deliver or raise NotifierError; must not block longer than its timeout."""

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
    "notifier_for",
    "parse_retry_after",
    "register",
    "root_cause",
]
