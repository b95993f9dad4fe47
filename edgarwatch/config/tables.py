"""The daemon's own tables (`[poll]`, `[watch]`, `[storage]`, `[log]`) and
`Settings`, the whole file's typed, frozen result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from edgarwatch.agreement import capacity_only, party_key
from edgarwatch.alarms import AlarmSettings
from edgarwatch.config.http import HttpSettings
from edgarwatch.digest import DigestSettings
from edgarwatch.edgar.settings import EdgarSettings
from edgarwatch.notifiers.base import ChannelSettings
from edgarwatch.policy import NotifySettings
from edgarwatch.settings import cik, setting, ticker

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True)
class PollSettings:
    """[poll]: how often each source is read, and the catch-up tier's reach.

    The poll reads a 10-entry page of the 8-K feed (~6 KB) when nothing is
    new, so polling every few seconds costs little; the sweep re-reads the
    feed back `sweep_hours` by accession (EDGAR posts after-hours 8-Ks the next
    morning below newer entries); full-text search (EFTS) is the second,
    independent source. See the README's "How it works" for the cost per day.
    """

    interval_seconds: float = setting(5, minimum=0.1)
    off_hours_interval_seconds: float = setting(300, minimum=0.1)
    sweep_seconds: int = setting(120, minimum=10)
    morning_sweep_seconds: int = setting(10, minimum=1)
    sweep_hours: int = setting(24, minimum=1, maximum=96)
    efts_seconds: int = setting(60, minimum=0)
    efts_max_pages: int = setting(20, minimum=1)
    readers: int = setting(3, minimum=1, maximum=8)
    heartbeat_seconds: int = setting(30, minimum=1)
    reconcile_minutes: int = setting(60, minimum=1)
    lookback_minutes: int = setting(30, minimum=0)
    max_feed_pages: int = setting(50, minimum=1)
    submissions_watchlist_limit: int = setting(50, minimum=0)


def watched_party(value: str) -> str:
    """A `watch.parties` name: a company as filings name a party ("Pfizer Inc.", "SICOR")."""
    name = " ".join(value.split())
    if not name:
        raise ValueError("an empty name matches nothing")
    if len(name) > MAX_PARTY_NAME:
        raise ValueError(f"{name[:40]!r}… is longer than {MAX_PARTY_NAME} characters")
    if not party_key(name):
        raise ValueError(f"{name!r} has no letters or digits: it would match nothing")
    if capacity_only(name):
        raise ValueError(f"{name!r} names a capacity (trustee, agent, …), not a company")
    return name


MAX_PARTY_NAME = 200


@dataclass(frozen=True)
class WatchSettings:
    """[watch]: which companies (CIKs, tickers, a watch file, or all), and which
    counterparties (`parties`: names a party to any company's Item 1.01 may have)."""

    ciks: tuple[int, ...] = setting((), convert=cik, unique=True)
    tickers: tuple[str, ...] = setting((), case="upper", convert=ticker, unique=True)
    all: bool = False
    file: Path | None = None
    catch_up_days: int = setting(30, minimum=0)
    parties: tuple[str, ...] = setting((), convert=watched_party, unique=True)


@dataclass(frozen=True)
class StorageSettings:
    """[storage]: the SQLite database (relative: in $STATE_DIRECTORY under systemd)."""

    path: Path = Path("edgarwatch.db")


@dataclass(frozen=True)
class LogSettings:
    """[log]: how much to log, and as text lines or JSON objects (for log shippers)."""

    level: str = setting("INFO", case="upper")
    format: Literal["text", "json"] = setting("text", case="lower")


@dataclass(frozen=True)
class Settings:
    edgar: EdgarSettings
    poll: PollSettings = PollSettings()
    watch: WatchSettings = WatchSettings()
    storage: StorageSettings = StorageSettings()
    notify: NotifySettings = field(default_factory=NotifySettings)
    channels: tuple[ChannelSettings, ...] = ()
    log_level: str = "INFO"
    path: Path | None = field(default=None, compare=False)
    log_format: Literal["text", "json"] = "text"
    digests: tuple[DigestSettings, ...] = ()
    """`[[digest]]`: one daily digest per channel (`edgarwatch.digest`)."""
    alarms: AlarmSettings | None = None
    """`[alarms]`: None when the table is absent (no alarm is evaluated)."""
    http: HttpSettings = HttpSettings()  # noqa: RUF009 - frozen, so one shared default is safe
    warnings: tuple[str, ...] = field(default=(), compare=False)
    """Valid but worth telling the operator (logged at start, shown by check-config)."""

    def channel(self, name: str) -> ChannelSettings | None:
        return next((c for c in self.channels if c.name == name), None)
