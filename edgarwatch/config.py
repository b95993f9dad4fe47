"""Load `config.toml` into typed, frozen settings: every problem at once, naming its key.

The whole file is checked once, at start-up, and every problem is reported
together, each naming its key (`edgar.user_agent: …`), so an operator fixes
them in one pass; the CLI exits 78 (EX_CONFIG) on any of them, which the
systemd unit's `RestartPreventExitStatus=78` turns into "stay down" rather
than a restart loop.

This module is a loader. Each table's keys and checks belong to the room
that uses them, declared as dataclass fields (`edgarwatch.settings`):
`[edgar]` in `edgar/settings.py`, `[notify]` and its rules in
`edgarwatch/policy.py`, each channel kind in its notifier module, found
through the notifier registry (`[slack]`, `[channels.NAME] kind = "…"`).
Only the daemon's own tables (`[poll]`, `[watch]`, `[storage]`, `[log]`,
`[http]`) are declared here.

Secrets (webhook URLs, the SMTP password, the webhook signing key) may come
from the file, the environment (`EDGARWATCH_SLACK_WEBHOOK_URL`) or a file in
`$CREDENTIALS_DIRECTORY` (systemd `LoadCredential=slack.webhook_url:…`); see
`secret_sources`.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import math
import os
import re
import tomllib
import types
from collections.abc import Iterator, Mapping
from dataclasses import MISSING, dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin, get_type_hints
from urllib.parse import urlsplit

from edgarwatch.agreement import capacity_only, party_key
from edgarwatch.alarms import AlarmSettings
from edgarwatch.digest import DigestSettings
from edgarwatch.edgar.settings import EdgarSettings
from edgarwatch.notifiers.base import REGISTRY, ChannelSettings
from edgarwatch.policy import NotifySettings, Rule
from edgarwatch.secrets import Secret
from edgarwatch.settings import Spec, cik, is_loopback, setting, spec_of, ticker

EX_CONFIG = 78
"""sysexits.h: configuration error."""

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

__all__ = [
    "EX_CONFIG",
    "ConfigError",
    "HttpSettings",
    "PollSettings",
    "Settings",
    "StorageSettings",
    "WatchSettings",
    "channel_kinds",
    "credential_names",
    "describe",
    "from_mapping",
    "load",
    "secret_sources",
]


class ConfigError(Exception):
    """The configuration is invalid; `problems` lists every reason, one per key."""

    def __init__(self, problems: list[str], path: Path | None = None) -> None:
        self.problems = problems
        self.path = path
        where = f"{path}: " if path else ""
        super().__init__(f"{where}{len(problems)} problem(s):\n  " + "\n  ".join(problems))


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


def listen_address(value: str) -> str:
    """`[http] listen`: "HOST:PORT", an IPv6 address in brackets ("[::1]:9797"); "" is off."""
    if not value:
        return ""
    host, port = split_listen(value)
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def split_listen(value: str) -> tuple[str, int]:
    """("127.0.0.1", 9797) from "127.0.0.1:9797"; ValueError saying what is wrong."""
    example = "HOST:PORT, e.g. 127.0.0.1:9797 or [::1]:9797"
    host, colon, port = value.rpartition(":")
    if not colon or not port.isdigit():
        raise ValueError(f"{value!r} is not {example}")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ValueError(f"{host!r} in brackets is not an IPv6 address") from None
    elif ":" in host:
        raise ValueError(f"put an IPv6 address in brackets: [{host}]:{port}")
    elif host and not _HOST_NAME.match(host):
        raise ValueError(f"{host!r} is neither an IP address nor a host name ({example})")
    if not 1 <= int(port) <= 65535:
        raise ValueError(f"port {port} is not between 1 and 65535")
    return host, int(port)


_HOST_NAME = re.compile(
    r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$"
)


@dataclass(frozen=True)
class HttpSettings:
    """[http]: serve `/metrics` (Prometheus) and `/healthz` (the `status` rules) on
    `listen`; off unless set. A loopback address only, unless `allow_remote`:
    the metrics port is for a local Prometheus (or a reverse proxy), not for the internet."""

    listen: str = setting("", convert=listen_address)
    allow_remote: bool = False

    @property
    def address(self) -> tuple[str, int]:
        """(host, port) to bind; "" as host is every interface."""
        return split_listen(self.listen)

    def problems(self) -> Iterator[tuple[str, str]]:
        if not self.listen or self.allow_remote:
            return
        host, _ = self.address
        if not host:
            yield "listen", "an empty host listens on every interface; use 127.0.0.1 or [::1]"
        elif not is_loopback(host):
            yield (
                "listen",
                f"{host} is not a loopback address: the metrics port is not for the internet "
                "(use 127.0.0.1 or [::1], or set http.allow_remote = true behind a firewall)",
            )


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
    http: HttpSettings = HttpSettings()
    warnings: tuple[str, ...] = field(default=(), compare=False)
    """Valid but worth telling the operator (logged at start, shown by check-config)."""

    def channel(self, name: str) -> ChannelSettings | None:
        return next((c for c in self.channels if c.name == name), None)


# --------------------------------------------------------------------------- loading


def load(path: Path, environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate `path`; raise ConfigError listing every problem."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError([f"cannot read the configuration file: {exc.strerror}"], path) from None
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(["the file is not UTF-8 text"], path) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"not valid TOML: {exc}"], path) from None
    except RecursionError:  # tomllib recurses per nesting level
        raise ConfigError(["not valid TOML: arrays or tables nest too deeply"], path) from None
    return from_mapping(document, path=path, environ=environ)


def from_mapping(
    document: Mapping[str, Any],
    path: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Validate an already-parsed configuration (tests and the demo build one in code)."""
    reader = _Reader(environ if environ is not None else os.environ, path)
    settings = _settings(reader, document)
    if reader.problems:
        raise ConfigError(reader.problems, path)
    assert settings is not None
    return settings


def channel_kinds() -> dict[str, type[Any]]:
    """Every registered notifier's kind and settings class: the channel tables."""
    return {kind: notifier.settings_type for kind, notifier in sorted(REGISTRY.items())}


def _settings(reader: _Reader, doc: Mapping[str, Any]) -> Settings | None:
    kinds = channel_kinds()
    known = {"edgar", "poll", "watch", "storage", "notify", "log", "http", "channels"}
    known |= {"digest", "alarms", *kinds}
    for key in doc:
        if key not in known:
            reader.problem(key, "unknown section (misspelt?)")
    edgar = reader.read(EdgarSettings, reader.table(doc, "edgar"), "edgar")
    poll = reader.read(PollSettings, reader.table(doc, "poll"), "poll")
    watch = reader.read(WatchSettings, reader.table(doc, "watch"), "watch")
    storage = _storage(reader, reader.table(doc, "storage"))
    channels, names = _channels(reader, doc, kinds)
    notify = _notify(reader, reader.table(doc, "notify"), names)
    log = reader.read(LogSettings, reader.table(doc, "log"), "log")
    http = reader.read(HttpSettings, reader.table(doc, "http"), "http") or HttpSettings()
    level = log.level if log else "INFO"
    if level not in LOG_LEVELS:
        reader.problem("log.level", f"must be one of {', '.join(LOG_LEVELS)}, not {level!r}")
    digests = _digests(reader, doc.get("digest", []), names)
    alarms = _alarms(reader, doc, names)
    reader.check_file_mode()
    if edgar is None or poll is None or watch is None or notify is None:
        return None
    log_format = log.format if log else "text"
    return Settings(
        edgar,
        poll,
        watch,
        storage,
        notify,
        channels,
        level,
        reader.path,
        log_format=log_format,
        digests=digests,
        alarms=alarms,
        http=http,
        warnings=tuple(reader.warnings),
    )


def _digests(reader: _Reader, tables: Any, channel_names: set[str]) -> tuple[DigestSettings, ...]:
    """`[[digest]]`: each names a configured channel, at most one digest per channel."""
    if not isinstance(tables, list) or not all(isinstance(t, Mapping) for t in tables):
        reader.problem("digest", "must be an array of tables ([[digest]])")
        return ()
    digests: list[DigestSettings] = []
    for index, table in enumerate(tables):
        prefix = f"digest[{index}]"
        digest = reader.read(DigestSettings, table, prefix)
        if digest is None:
            continue
        if digest.channel not in channel_names:
            known = ", ".join(sorted(channel_names)) or "none is configured"
            reader.problem(
                f"{prefix}.channel", f"no channel named {digest.channel!r} (known: {known})"
            )
        elif any(d.channel == digest.channel for d in digests):
            reader.problem(
                f"{prefix}.channel", f"{digest.channel!r} has a digest already (one a channel)"
            )
        else:
            digests.append(digest)
    return tuple(digests)


def _alarms(
    reader: _Reader, doc: Mapping[str, Any], channel_names: set[str]
) -> AlarmSettings | None:
    """`[alarms]`: absent, no alarm; its channel (if any) must be configured."""
    if "alarms" not in doc:
        return None
    alarms = reader.read(AlarmSettings, reader.table(doc, "alarms"), "alarms")
    if alarms is not None and alarms.channel and alarms.channel not in channel_names:
        known = ", ".join(sorted(channel_names)) or "none is configured"
        reader.problem("alarms.channel", f"no channel named {alarms.channel!r} (known: {known})")
    return alarms


def _storage(reader: _Reader, table: Mapping[str, Any]) -> StorageSettings:
    reader.unknown_keys("storage", table, {"path"})
    value = reader.string(table, "path", "storage", "edgarwatch.db")
    path = Path(value or "edgarwatch.db").expanduser()
    if not path.is_absolute():
        # Under systemd the database belongs in StateDirectory=.
        state = reader.environ.get("STATE_DIRECTORY", "").split(":")[0]
        path = (Path(state) if state else Path.cwd()) / path
    return StorageSettings(path=path)


def _notify(
    reader: _Reader, table: Mapping[str, Any], channel_names: set[str]
) -> NotifySettings | None:
    """[notify] is the default rule's keys, delivery keys, and `[[notify.rules]]`."""
    rule_keys = {f.name for f in dataclasses.fields(Rule)} - {"name"}
    own = {f.name for f in dataclasses.fields(NotifySettings)}
    reader.unknown_keys("notify", table, rule_keys | own)
    default = {k: v for k, v in table.items() if k in rule_keys}
    rules = [reader.read(Rule, default, "notify", name="default", check_keys=False)]
    extra = table.get("rules", [])
    if not isinstance(extra, list) or not all(isinstance(r, Mapping) for r in extra):
        reader.problem("notify.rules", "must be an array of tables ([[notify.rules]])")
        extra = []
    for index, rule in enumerate(extra):
        prefix = f"notify.rules[{index}]"
        reader.unknown_keys(prefix, rule, rule_keys | {"name"})
        name = reader.string(rule, "name", prefix) or f"rule{index + 1}"
        rules.append(reader.read(Rule, rule, prefix, name=name, check_keys=False))
    for index, rule in enumerate(rules):
        prefix = "notify" if index == 0 else f"notify.rules[{index - 1}]"
        for channel in rule.channels if rule else ():
            if channel not in channel_names:
                known = ", ".join(sorted(channel_names)) or "none is configured"
                reader.problem(
                    f"{prefix}.channels", f"no channel named {channel!r} (known: {known})"
                )
    names = [r.name for r in rules if r]
    for name in {n for n in names if names.count(n) > 1}:
        reader.problem("notify.rules", f"two rules are named {name!r}; names must be unique")
    own_table = {k: v for k, v in table.items() if k in own}
    settings = reader.read(NotifySettings, own_table, "notify", check_keys=False)
    if settings is None or None in rules:
        return None
    return dataclasses.replace(settings, rules=tuple(r for r in rules if r))


def _channels(
    reader: _Reader, doc: Mapping[str, Any], kinds: dict[str, type[Any]]
) -> tuple[tuple[ChannelSettings, ...], set[str]]:
    """`[kind]` tables in the file's order (then kinds configured by a required secret
    alone), then `[channels.NAME]`; and the names of all of them, valid or not."""
    result: list[ChannelSettings | None] = []
    tables = [kind for kind in doc if kind in kinds]
    tables += [k for k, t in kinds.items() if k not in tables and reader.secret_only(t, k)]
    for kind in tables:
        channel = reader.read(kinds[kind], reader.table(doc, kind), kind, name=kind)
        result.append(_refuse_placeholders(reader, channel, kind))
    for name, table in reader.table(doc, "channels").items():
        prefix = f"channels.{name}"
        if not isinstance(table, Mapping):
            reader.problem(prefix, "must be a table with a 'kind' key")
            continue
        kind = str(table.get("kind", ""))
        if kind not in kinds:
            reader.problem(f"{prefix}.kind", f"must be one of {', '.join(kinds)}")
            continue
        if not re.match(r"^[A-Za-z0-9_-]+$", name) or name in kinds:
            reader.problem(prefix, "channel names are letters, digits, '-' and '_' only")
            continue
        body = {k: v for k, v in table.items() if k != "kind"}
        channel = reader.read(kinds[kind], body, prefix, name=name)
        result.append(_refuse_placeholders(reader, channel, prefix))
        tables.append(name)
    return tuple(channel for channel in result if channel is not None), set(tables)


_EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net")
_PLACEHOLDER_TEXT = re.compile(r"X{4,}|…|\.\.\.|<[^>]*>")
_HOST = re.compile(r"^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")


def is_example_host(host: str) -> bool:
    """RFC 2606's documentation names: example.com/.org/.net and anything under them,
    and the `.example` top-level domain. Nothing is ever delivered there."""
    host = host.lower().rstrip(".")
    return (
        host == "example"
        or host.endswith(".example")
        or any(host == d or host.endswith("." + d) for d in _EXAMPLE_DOMAINS)
    )


def placeholder(value: str) -> str | None:
    """Why `value` (a URL, an address or a host name) is an example's placeholder, or None.

    `https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX`
    (Slack's documented shape), `https://hooks.example.com/edgarwatch`,
    `smtp.example.com`, `bd-team@example.com`, `https://…`. A loopback address
    is always real: something of the operator's (a relay, a test receiver) runs there.
    """
    value = value.strip()
    if "://" in value:
        host = urlsplit(value).hostname or ""
    elif "@" in value:
        host = value.rsplit("@", 1)[1]
    elif _HOST.match(value):
        host = value
    else:
        return None
    if is_example_host(host):
        return f"an example host ({host})"
    if "://" in value and _PLACEHOLDER_TEXT.search(value) and not is_loopback(host):
        return "a placeholder URL"
    return None


def _refuse_placeholders(reader: _Reader, channel: Any, prefix: str) -> Any:
    """A channel pointing at an example's placeholder would only ever fail: refuse it,
    naming the key (its secrets masked), so the copied example is not sent to nowhere."""
    if channel is None:
        return None
    for item in dataclasses.fields(channel):
        value = getattr(channel, item.name)
        values = value if isinstance(value, tuple) else (value,)
        for one in values:
            text = one.reveal() if isinstance(one, Secret) else one
            why = placeholder(text) if isinstance(text, str) else None
            if why:
                shown = one.masked() if isinstance(one, Secret) else one
                reader.problem(
                    f"{prefix}.{item.name}",
                    f"{shown!r} is {why}, not a real endpoint: put yours here, or remove "
                    f"[{prefix}] if you do not use it",
                )
    return channel


def secret_sources(key: str) -> tuple[str, str]:
    """Where a secret key may also come from: (environment variable, credential name).

    `slack.webhook_url` → (`EDGARWATCH_SLACK_WEBHOOK_URL`, `slack.webhook_url`).
    """
    env = "EDGARWATCH_" + re.sub(r"[^A-Za-z0-9]+", "_", key).upper()
    return env, key


def credential_names(credential: str) -> tuple[str, ...]:
    """File names a secret may have in $CREDENTIALS_DIRECTORY: `slack.webhook_url` as
    LoadCredential= names it, `slack_webhook_url`, or `edgarwatch.slack.webhook_url`
    as it sits in /etc/credstore (so a shell can point the variable there)."""
    return (credential, credential.replace(".", "_"), f"edgarwatch.{credential}")


# --------------------------------------------------------------------------- the reader

_T = TypeVar("_T")
_ABSENT: Any = object()
"""The key is not in the table: the field keeps its default."""
_INVALID: Any = object()
"""The key is there but refused (its problem is recorded)."""


class _Reader:
    """Reads any settings dataclass from its table, collecting every problem."""

    def __init__(self, environ: Mapping[str, str], path: Path | None) -> None:
        self.environ = environ
        self.path = path
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.file_secrets: list[str] = []
        self.base_dir = path.parent if path else Path.cwd()

    def problem(self, key: str, message: str) -> None:
        self.problems.append(f"{key}: {message}")

    def warn(self, key: str, message: str) -> None:
        self.warnings.append(f"{key}: {message}")

    def table(self, doc: Mapping[str, Any], name: str) -> Mapping[str, Any]:
        value = doc.get(name, {})
        if not isinstance(value, Mapping):
            self.problem(name, f"must be a table, not {type(value).__name__}")
            return {}
        return value

    def unknown_keys(self, prefix: str, table: Mapping[str, Any], known: set[str]) -> None:
        for key in table:
            if key not in known:
                self.problem(f"{prefix}.{key}", "unknown key (misspelt?)")

    def read(
        self,
        cls: type[_T],
        table: Mapping[str, Any],
        prefix: str,
        *,
        check_keys: bool = True,
        **fixed: Any,
    ) -> _T | None:
        """`cls` from `table` (keys prefixed `prefix.` in problems); None when a required
        key is missing or refused. `fixed` values (a channel's name) are not read."""
        hints = get_type_hints(cls)
        keys = [
            f
            for f in dataclasses.fields(cls)  # type: ignore[arg-type]
            if f.name not in fixed and f.name != "kind" and spec_of(f).key
        ]
        if check_keys:
            kind = {"kind"} if "kind" in hints else set()
            self.unknown_keys(prefix, table, {f.name for f in keys} | kind)
        values, complete = dict(fixed), True
        for item in keys:
            key, spec = f"{prefix}.{item.name}", spec_of(item)
            value = self.value(table, item.name, hints[item.name], spec, key)
            required = item.default is MISSING and item.default_factory is MISSING
            if value is _ABSENT and required:
                self.missing(key, spec, hints[item.name])
            if value is _ABSENT or value is _INVALID:
                complete = complete and not required
                continue
            values[item.name] = value
        if not complete:
            return None
        settings = cls(**values)
        for name, message in getattr(settings, "problems", tuple)():
            self.problem(f"{prefix}.{name}", message)
        for name, message in getattr(settings, "cautions", tuple)():
            self.warn(f"{prefix}.{name}", message)
        return settings

    def missing(self, key: str, spec: Spec, hint: Any) -> None:
        if hint is Secret:
            env, _ = secret_sources(key)
            self.problem(key, f"missing (set it here, in ${env}, or a credential)")
        else:
            self.problem(key, f"missing: {spec.required}" if spec.required else "missing")

    def value(self, table: Mapping[str, Any], name: str, hint: Any, spec: Spec, key: str) -> Any:
        """The key's value converted to `hint`, _ABSENT or _INVALID."""
        optional = get_origin(hint) is types.UnionType and type(None) in get_args(hint)
        base = next(a for a in get_args(hint) if a is not type(None)) if optional else hint
        if base is Secret:
            secret = self.secret(table, name, key)
            if secret is not None and spec.url:
                self.url(key, secret.reveal(), secret=True)
            return _ABSENT if secret is None else secret
        if name not in table:
            return _ABSENT
        raw = table[name]
        if get_origin(base) is tuple:
            return self.sequence(raw, get_args(base)[0], spec, key)
        if base is bool:
            return self.boolean(raw, key)
        if base in (int, float):
            return self.number(raw, spec, key, integer=base is int)
        if base is Path:
            return self.path_value(raw, key)
        choices = get_args(base) if get_origin(base) is Literal else ()
        return self.text(raw, spec, key, choices, optional)

    def text(self, raw: Any, spec: Spec, key: str, choices: tuple[Any, ...], optional: bool) -> Any:
        if not isinstance(raw, str):
            self.problem(key, f"must be a string, not {raw!r}")
            return _INVALID
        value = _fold(raw.strip(), spec)
        if not value and (optional or spec.required):
            return None if optional else _ABSENT
        if choices and value not in choices:
            self.problem(key, f"must be one of {', '.join(choices)}, not {value!r}")
            return _INVALID
        if spec.url:
            return self.url(key, value)
        return self.converted(value, spec, key)

    def sequence(self, raw: Any, element: Any, spec: Spec, key: str) -> Any:
        values = [raw] if isinstance(raw, str) else raw
        if not isinstance(values, list) or (
            element is str and not all(isinstance(v, str) for v in values)
        ):
            noun = "strings" if element is str else "values"
            self.problem(key, f"must be a list of {noun}, not {raw!r}")
            return _INVALID
        if element is str:
            values = [_fold(v.strip(), spec) for v in values if v.strip()]
        result = []
        for value in values:
            converted = self.converted(value, spec, key)
            if converted is not _INVALID:
                result.append(converted)
        if not result:
            return _ABSENT if not values else ()
        return tuple(dict.fromkeys(result)) if spec.unique else tuple(result)

    def converted(self, value: Any, spec: Spec, key: str) -> Any:
        if spec.convert is None:
            return value
        try:
            return spec.convert(value)
        except ValueError as exc:  # one problem per argument
            for message in exc.args or ("invalid",):
                self.problem(key, str(message))
            return _INVALID

    def boolean(self, raw: Any, key: str) -> Any:
        if not isinstance(raw, bool):
            self.problem(key, f"must be true or false, not {raw!r}")
            return _INVALID
        return raw

    def number(self, raw: Any, spec: Spec, key: str, *, integer: bool) -> Any:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            self.problem(key, f"must be a number, not {raw!r}")
            return _INVALID
        if integer and not isinstance(raw, int):
            self.problem(key, f"must be a whole number, not {raw!r}")
            return _INVALID
        if not math.isfinite(raw) or abs(raw) >= 2**63:
            self.problem(key, f"must be a finite number, not {raw!r}")
            return _INVALID
        if spec.minimum is not None and raw < spec.minimum:
            self.problem(key, f"must be at least {spec.minimum:g}, not {raw!r}")
            return _INVALID
        if spec.maximum is not None and raw > spec.maximum:
            self.problem(key, f"must be at most {spec.maximum:g}, not {raw!r}")
            return _INVALID
        return self.converted(raw, spec, key)

    def string(self, table: Mapping[str, Any], key: str, prefix: str, default: str = "") -> str:
        value = table.get(key, default)
        if not isinstance(value, str):
            self.problem(f"{prefix}.{key}", f"must be a string, not {value!r}")
            return default
        return value.strip()

    def path_value(self, raw: Any, key: str) -> Any:
        if not isinstance(raw, str):
            self.problem(key, f"must be a string, not {raw!r}")
            return _INVALID
        if not raw.strip():
            return None
        candidate = Path(raw.strip()).expanduser()
        return candidate if candidate.is_absolute() else self.base_dir / candidate

    def secret(self, table: Mapping[str, Any], name: str, key: str) -> Secret | None:
        """A secret from the credentials directory, the environment, or the file."""
        if isinstance(table.get(name), str) and table[name].strip():
            self.file_secrets.append(key)  # in the file, whatever overrides it
        env_name, credential = secret_sources(key)
        directory = self.environ.get("CREDENTIALS_DIRECTORY")
        if directory:
            for file_name in credential_names(credential):
                candidate = Path(directory) / file_name
                if candidate.is_file():
                    try:
                        return Secret(candidate.read_text(encoding="utf-8").strip())
                    except OSError as exc:
                        self.problem(key, f"cannot read credential {file_name}: {exc.strerror}")
                        return None
        if self.environ.get(env_name):
            return Secret(self.environ[env_name].strip())
        value = table.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem(key, "must be a string")
            return None
        return Secret(value.strip()) if value.strip() else None

    def check_file_mode(self) -> None:
        """A file holding secrets that group or others can read is a leak waiting."""
        if not self.file_secrets or self.path is None:
            return
        try:
            mode = self.path.stat().st_mode
        except OSError:
            return
        if mode & 0o077:
            self.warn(
                ", ".join(self.file_secrets),
                f"secrets in {self.path}, which group or others can read "
                f"(mode {mode & 0o777:04o}): chmod 600 {self.path}, or move them to the "
                "environment or $CREDENTIALS_DIRECTORY",
            )

    def secret_only(self, settings_type: type[Any], kind: str) -> bool:
        """A channel whose required secret is in the environment or the credentials
        directory is configured by that alone (no table needed)."""
        hints = get_type_hints(settings_type)
        directory = self.environ.get("CREDENTIALS_DIRECTORY") or ""
        for item in dataclasses.fields(settings_type):
            if hints[item.name] is not Secret:
                continue
            env, credential = secret_sources(f"{kind}.{item.name}")
            if self.environ.get(env) or (
                directory
                and any((Path(directory) / n).is_file() for n in credential_names(credential))
            ):
                return True
        return False

    def url(self, key: str, value: str, *, secret: bool = False) -> str:
        """Check a URL: https, or plain http to a loopback address only."""
        shown = Secret(value).masked() if secret else value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            self.problem(key, f"must be an http(s) URL, not {shown!r}")
            return value
        if parts.scheme == "http" and not is_loopback(parts.hostname):
            self.problem(
                key, f"plain http:// is accepted only for loopback addresses, not {parts.hostname}"
            )
        return value if secret else value.rstrip("/")


def _fold(value: str, spec: Spec) -> str:
    if spec.case == "upper":
        return value.upper()
    return value.lower() if spec.case == "lower" else value


def describe(settings: Settings) -> dict[str, Any]:
    """The effective configuration with every secret masked (for check-config)."""

    def plain(value: Any) -> Any:
        if isinstance(value, Secret):
            return value.masked()
        if isinstance(value, Path):
            return str(value)
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if hasattr(value, "__dataclass_fields__"):
            return {k: plain(getattr(value, k)) for k in value.__dataclass_fields__}
        return value

    described = plain(settings)
    assert isinstance(described, dict)
    return described
