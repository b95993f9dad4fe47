"""Load and validate `config.toml` into typed, frozen settings.

The whole file is checked once, at start-up, and every problem is reported
together, each naming its key (`edgar.user_agent: …`), so an operator fixes
them in one pass; the CLI exits 78 (EX_CONFIG) on any of them, which the
systemd unit's `RestartPreventExitStatus=78` turns into "stay down" rather
than a restart loop.

Secrets (webhook URLs, the SMTP password, the webhook signing key) may come
from the file, the environment (`EDGARWATCH_SLACK_WEBHOOK_URL`) or a file in
`$CREDENTIALS_DIRECTORY` (systemd `LoadCredential=slack.webhook_url:…`); see
`secret_sources`.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from edgarwatch.edgar.item_titles import is_item_number, normalise_number
from edgarwatch.secrets import Secret

EX_CONFIG = 78
"""sysexits.h: configuration error."""

SEC_MAX_REQUESTS_PER_SECOND = 10
"""sec.gov "Accessing EDGAR Data": at most 10 requests per second per client."""

CHANNEL_KINDS = ("slack", "email", "webhook")

EmailSecurity = Literal["starttls", "ssl", "none"]


class ConfigError(Exception):
    """The configuration is invalid; `problems` lists every reason, one per key."""

    def __init__(self, problems: list[str], path: Path | None = None) -> None:
        self.problems = problems
        self.path = path
        where = f"{path}: " if path else ""
        super().__init__(f"{where}{len(problems)} problem(s):\n  " + "\n  ".join(problems))


@dataclass(frozen=True)
class EdgarSettings:
    user_agent: str
    base_url: str = "https://www.sec.gov"
    data_url: str = "https://data.sec.gov"
    requests_per_second: float = 5.0
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_retries: int = 4
    throttle_pause_minutes: float = 10.0
    max_response_bytes: int = 64 * 1024 * 1024


@dataclass(frozen=True)
class PollSettings:
    interval_seconds: int = 30
    off_hours_interval_seconds: int = 300
    reconcile_minutes: int = 60
    lookback_minutes: int = 30
    max_feed_pages: int = 50
    submissions_watchlist_limit: int = 50


@dataclass(frozen=True)
class WatchSettings:
    ciks: tuple[int, ...] = ()
    tickers: tuple[str, ...] = ()
    all: bool = False
    file: Path | None = None
    catch_up_days: int = 30


@dataclass(frozen=True)
class StorageSettings:
    path: Path = Path("edgarwatch.db")


@dataclass(frozen=True)
class Rule:
    """Which filings notify whom: items × forms × companies → channels."""

    name: str
    items: tuple[str, ...] = ("1.01",)
    forms: tuple[str, ...] = ("8-K", "8-K/A")
    ciks: tuple[int, ...] = ()
    tickers: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class NotifySettings:
    rules: tuple[Rule, ...] = (Rule(name="default"),)
    dispatch_seconds: int = 5
    give_up_hours: float = 24.0
    max_backoff_seconds: float = 900.0
    enrich_give_up_minutes: float = 10.0


@dataclass(frozen=True)
class SlackSettings:
    """[slack]: post to a Slack incoming webhook."""

    name: str
    webhook_url: Secret
    timeout: float = 10.0
    kind: Literal["slack"] = "slack"


@dataclass(frozen=True)
class EmailSettings:
    """[email]: send a multipart email through an SMTP server."""

    name: str
    host: str
    sender: str
    recipients: tuple[str, ...]
    port: int = 587
    security: EmailSecurity = "starttls"
    username: str | None = None
    password: Secret | None = None
    ca_file: Path | None = None
    timeout: float = 20.0
    kind: Literal["email"] = "email"


@dataclass(frozen=True)
class WebhookSettings:
    """[webhook]: POST a signed JSON document to a URL."""

    name: str
    url: Secret
    secret: Secret | None = None
    timeout: float = 10.0
    kind: Literal["webhook"] = "webhook"


ChannelSettings = SlackSettings | EmailSettings | WebhookSettings


@dataclass(frozen=True)
class Settings:
    edgar: EdgarSettings
    poll: PollSettings = PollSettings()
    watch: WatchSettings = WatchSettings()
    storage: StorageSettings = StorageSettings()
    notify: NotifySettings = NotifySettings()
    channels: tuple[ChannelSettings, ...] = ()
    log_level: str = "INFO"
    path: Path | None = field(default=None, compare=False)

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
    return from_mapping(document, path=path, environ=environ)


def from_mapping(
    document: Mapping[str, Any],
    path: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Validate an already-parsed configuration (tests and the demo build one in code)."""
    reader = _Reader(document, environ if environ is not None else os.environ, path)
    settings = reader.settings()
    if reader.problems:
        raise ConfigError(reader.problems, path)
    assert settings is not None
    return settings


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


_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_PLACEHOLDER_DOMAINS = re.compile(r"@(?:[\w-]+\.)*(example|your-company)\.\w+$|\.example$", re.I)
_TICKER_RE = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{0,9}$")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class _Reader:
    """Walks the document, converting values and collecting every problem."""

    def __init__(self, doc: Mapping[str, Any], environ: Mapping[str, str], path: Path | None):
        self.doc = doc
        self.environ = environ
        self.path = path
        self.problems: list[str] = []
        self.base_dir = path.parent if path else Path.cwd()

    # -- helpers ------------------------------------------------------------
    def problem(self, key: str, message: str) -> None:
        self.problems.append(f"{key}: {message}")

    def table(self, name: str, parent: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
        source = self.doc if parent is None else parent
        value = source.get(name.rsplit(".", 1)[-1], {})
        if not isinstance(value, Mapping):
            self.problem(name, f"must be a table, not {type(value).__name__}")
            return {}
        return value

    def unknown_keys(self, prefix: str, table: Mapping[str, Any], known: set[str]) -> None:
        for key in table:
            if key not in known:
                self.problem(f"{prefix}.{key}", "unknown key (misspelt?)")

    def number(
        self,
        table: Mapping[str, Any],
        key: str,
        default: float,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        integer: bool = False,
        prefix: str = "",
    ) -> Any:
        name = f"{prefix}.{key}"
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(name, f"must be a number, not {value!r}")
            return default
        if integer and not isinstance(value, int):
            self.problem(name, f"must be a whole number, not {value!r}")
            return default
        if minimum is not None and value < minimum:
            self.problem(name, f"must be at least {minimum:g}, not {value!r}")
            return default
        if maximum is not None and value > maximum:
            self.problem(name, f"must be at most {maximum:g}, not {value!r}")
            return default
        return value

    def string(self, table: Mapping[str, Any], key: str, prefix: str, default: str = "") -> str:
        value = table.get(key, default)
        if not isinstance(value, str):
            self.problem(f"{prefix}.{key}", f"must be a string, not {value!r}")
            return default
        return value.strip()

    def strings(self, table: Mapping[str, Any], key: str, prefix: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(f"{prefix}.{key}", f"must be a list of strings, not {value!r}")
            return ()
        return tuple(v.strip() for v in value if v.strip())

    def boolean(self, table: Mapping[str, Any], key: str, prefix: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.problem(f"{prefix}.{key}", f"must be true or false, not {value!r}")
            return default
        return value

    def secret(self, table: Mapping[str, Any], key: str, prefix: str) -> Secret | None:
        """A secret from the credentials directory, the environment, or the file."""
        full = f"{prefix}.{key}"
        env_name, credential = secret_sources(full)
        directory = self.environ.get("CREDENTIALS_DIRECTORY")
        if directory:
            for name in credential_names(credential):
                candidate = Path(directory) / name
                if candidate.is_file():
                    try:
                        return Secret(candidate.read_text(encoding="utf-8").strip())
                    except OSError as exc:
                        self.problem(full, f"cannot read credential {name}: {exc.strerror}")
                        return None
        if self.environ.get(env_name):
            return Secret(self.environ[env_name].strip())
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem(full, "must be a string")
            return None
        return Secret(value.strip()) if value.strip() else None

    def url(self, key: str, value: str, *, https_required: bool = True) -> str:
        """Check a URL: https, or plain http to a loopback address only."""
        shown = value if https_required else Secret(value).masked()
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            self.problem(key, f"must be an http(s) URL, not {shown!r}")
            return value
        if parts.scheme == "http" and not is_loopback(parts.hostname):
            self.problem(
                key, f"plain http:// is accepted only for loopback addresses, not {parts.hostname}"
            )
        return value.rstrip("/") if https_required else value

    def path_value(self, table: Mapping[str, Any], key: str, prefix: str) -> Path | None:
        value = self.string(table, key, prefix)
        if not value:
            return None
        candidate = Path(value).expanduser()
        return candidate if candidate.is_absolute() else self.base_dir / candidate

    # -- sections -----------------------------------------------------------
    def settings(self) -> Settings | None:
        known = {"edgar", "poll", "watch", "storage", "notify", "log", "channels"}
        known.update(CHANNEL_KINDS)
        for key in self.doc:
            if key not in known:
                self.problem(key, "unknown section (misspelt?)")
        edgar = self.edgar()
        poll = self.poll_settings()
        watch = self.watch()
        storage = self.storage()
        channels = self.channels()
        notify = self.notify({c.name for c in channels})
        log = self.table("log")
        self.unknown_keys("log", log, {"level"})
        level = self.string(log, "level", "log", "INFO").upper()
        if level not in _LOG_LEVELS:
            self.problem("log.level", f"must be one of {', '.join(_LOG_LEVELS)}, not {level!r}")
            level = "INFO"
        if edgar is None:
            return None
        return Settings(edgar, poll, watch, storage, notify, channels, level, self.path)

    def edgar(self) -> EdgarSettings | None:
        t = self.table("edgar")
        p = "edgar"
        self.unknown_keys(p, t, set(EdgarSettings.__dataclass_fields__))
        user_agent = self.string(t, "user_agent", p)
        self.check_user_agent(user_agent)
        base_url = self.url(f"{p}.base_url", self.string(t, "base_url", p, EdgarSettings.base_url))
        data_url = self.url(f"{p}.data_url", self.string(t, "data_url", p, EdgarSettings.data_url))
        rate = self.number(t, "requests_per_second", 5.0, prefix=p, minimum=0.1)
        if rate > SEC_MAX_REQUESTS_PER_SECOND:
            self.problem(
                f"{p}.requests_per_second",
                f"{rate:g} is above the SEC's ceiling of {SEC_MAX_REQUESTS_PER_SECOND} requests "
                "per second (sec.gov 'Accessing EDGAR Data'); the SEC blocks clients that exceed it",
            )
        return EdgarSettings(
            user_agent=user_agent,
            base_url=base_url,
            data_url=data_url,
            requests_per_second=min(float(rate), SEC_MAX_REQUESTS_PER_SECOND),
            connect_timeout=self.number(t, "connect_timeout", 5.0, prefix=p, minimum=0.1),
            read_timeout=self.number(t, "read_timeout", 30.0, prefix=p, minimum=0.1),
            max_retries=self.number(t, "max_retries", 4, prefix=p, minimum=0, integer=True),
            throttle_pause_minutes=self.number(
                t, "throttle_pause_minutes", 10.0, prefix=p, minimum=0
            ),
            max_response_bytes=self.number(
                t, "max_response_bytes", 64 * 1024 * 1024, prefix=p, minimum=1024, integer=True
            ),
        )

    def check_user_agent(self, user_agent: str) -> None:
        key = "edgar.user_agent"
        if not user_agent:
            self.problem(
                key,
                "missing: the SEC requires every request to name you and give a contact email, "
                'e.g. user_agent = "Acme Research ops@acme.com" (anonymous tools are blocked)',
            )
            return
        emails = _EMAIL_RE.findall(user_agent)
        name = _EMAIL_RE.sub("", user_agent)
        if not emails:
            self.problem(key, f"{user_agent!r} has no contact email address; the SEC requires one")
        elif any(_PLACEHOLDER_DOMAINS.search(e) for e in emails):
            self.problem(
                key, f"{user_agent!r} is the example placeholder: put your name and real email"
            )
        if len(re.findall(r"[A-Za-z]", name)) < 2:
            self.problem(
                key, f"{user_agent!r} has no name: the SEC requires a company or person name"
            )

    def poll_settings(self) -> PollSettings:
        t = self.table("poll")
        p = "poll"
        self.unknown_keys(p, t, set(PollSettings.__dataclass_fields__))
        return PollSettings(
            interval_seconds=self.number(
                t, "interval_seconds", 30, prefix=p, minimum=1, integer=True
            ),
            off_hours_interval_seconds=self.number(
                t, "off_hours_interval_seconds", 300, prefix=p, minimum=1, integer=True
            ),
            reconcile_minutes=self.number(
                t, "reconcile_minutes", 60, prefix=p, minimum=1, integer=True
            ),
            lookback_minutes=self.number(
                t, "lookback_minutes", 30, prefix=p, minimum=0, integer=True
            ),
            max_feed_pages=self.number(t, "max_feed_pages", 50, prefix=p, minimum=1, integer=True),
            submissions_watchlist_limit=self.number(
                t, "submissions_watchlist_limit", 50, prefix=p, minimum=0, integer=True
            ),
        )

    def watch(self) -> WatchSettings:
        t = self.table("watch")
        p = "watch"
        self.unknown_keys(p, t, {"ciks", "tickers", "all", "file", "catch_up_days"})
        ciks = self.ciks(t, "ciks", p)
        tickers = self.tickers(t, "tickers", p)
        return WatchSettings(
            ciks=ciks,
            tickers=tickers,
            all=self.boolean(t, "all", p, False),
            file=self.path_value(t, "file", p),
            catch_up_days=self.number(t, "catch_up_days", 30, prefix=p, minimum=0, integer=True),
        )

    def ciks(self, t: Mapping[str, Any], key: str, p: str) -> tuple[int, ...]:
        values = t.get(key, [])
        if not isinstance(values, list):
            self.problem(f"{p}.{key}", f"must be a list of CIK numbers, not {values!r}")
            return ()
        result: list[int] = []
        for value in values:
            cik = parse_cik(value)
            if cik is None:
                self.problem(f"{p}.{key}", f"{value!r} is not a CIK (a number up to 10 digits)")
            else:
                result.append(cik)
        return tuple(dict.fromkeys(result))

    def tickers(self, t: Mapping[str, Any], key: str, p: str) -> tuple[str, ...]:
        result = []
        for ticker in self.strings(t, key, p):
            normal = ticker.upper()
            if not _TICKER_RE.match(normal):
                self.problem(f"{p}.{key}", f"{ticker!r} is not a ticker symbol")
            else:
                result.append(normal)
        return tuple(dict.fromkeys(result))

    def storage(self) -> StorageSettings:
        t = self.table("storage")
        self.unknown_keys("storage", t, {"path"})
        value = self.string(t, "path", "storage", "edgarwatch.db")
        path = Path(value or "edgarwatch.db").expanduser()
        if not path.is_absolute():
            # Under systemd the database belongs in StateDirectory=.
            state = self.environ.get("STATE_DIRECTORY", "").split(":")[0]
            path = (Path(state) if state else Path.cwd()) / path
        return StorageSettings(path=path)

    def notify(self, channel_names: set[str]) -> NotifySettings:
        t = self.table("notify")
        p = "notify"
        self.unknown_keys(
            p,
            t,
            {"items", "forms", "channels", "ciks", "tickers", "rules"}
            | {
                "dispatch_seconds",
                "give_up_hours",
                "max_backoff_seconds",
                "enrich_give_up_minutes",
            },
        )
        rules = [self.rule(t, p, "default", channel_names)]
        extra = t.get("rules", [])
        if not isinstance(extra, list) or not all(isinstance(r, Mapping) for r in extra):
            self.problem(f"{p}.rules", "must be an array of tables ([[notify.rules]])")
            extra = []
        for index, table in enumerate(extra):
            prefix = f"{p}.rules[{index}]"
            self.unknown_keys(
                prefix, table, {"name", "items", "forms", "channels", "ciks", "tickers"}
            )
            name = self.string(table, "name", prefix) or f"rule{index + 1}"
            rules.append(self.rule(table, prefix, name, channel_names))
        names = [r.name for r in rules]
        for name in {n for n in names if names.count(n) > 1}:
            self.problem(f"{p}.rules", f"two rules are named {name!r}; names must be unique")
        return NotifySettings(
            rules=tuple(rules),
            dispatch_seconds=self.number(
                t, "dispatch_seconds", 5, prefix=p, minimum=1, integer=True
            ),
            give_up_hours=self.number(t, "give_up_hours", 24.0, prefix=p, minimum=0.01),
            max_backoff_seconds=self.number(t, "max_backoff_seconds", 900.0, prefix=p, minimum=1),
            enrich_give_up_minutes=self.number(
                t, "enrich_give_up_minutes", 10.0, prefix=p, minimum=0
            ),
        )

    def rule(self, t: Mapping[str, Any], p: str, name: str, channel_names: set[str]) -> Rule:
        items = []
        for value in self.strings(t, "items", p) or ("1.01",):
            try:
                number = normalise_number(value)
            except ValueError:
                number = ""
            if not is_item_number(number) or number != value.strip().removeprefix("Item ").strip():
                self.problem(f"{p}.items", f"{value!r} is not an 8-K item number like '1.01'")
            else:
                items.append(number)
        forms = tuple(f.upper() for f in self.strings(t, "forms", p)) or ("8-K", "8-K/A")
        for form in forms:
            if not form.startswith("8-K"):
                self.problem(f"{p}.forms", f"{form!r} is not an 8-K form (8-K, 8-K/A, …)")
        channels = self.strings(t, "channels", p)
        for channel in channels:
            if channel not in channel_names:
                known = ", ".join(sorted(channel_names)) or "none is configured"
                self.problem(f"{p}.channels", f"no channel named {channel!r} (known: {known})")
        return Rule(
            name=name,
            items=tuple(items),
            forms=forms,
            ciks=self.ciks(t, "ciks", p),
            tickers=self.tickers(t, "tickers", p),
            channels=channels,
        )

    def channels(self) -> tuple[ChannelSettings, ...]:
        result: list[ChannelSettings] = []
        for kind in CHANNEL_KINDS:
            if kind in self.doc or self._secret_only_channel(kind):
                channel = self.channel(kind, kind, self.table(kind), kind)
                if channel:
                    result.append(channel)
        named = self.table("channels")
        for name, table in named.items():
            prefix = f"channels.{name}"
            if not isinstance(table, Mapping):
                self.problem(prefix, "must be a table with a 'kind' key")
                continue
            kind = str(table.get("kind", ""))
            if kind not in CHANNEL_KINDS:
                self.problem(f"{prefix}.kind", f"must be one of {', '.join(CHANNEL_KINDS)}")
                continue
            if not re.match(r"^[A-Za-z0-9_-]+$", name) or name in CHANNEL_KINDS:
                self.problem(prefix, "channel names are letters, digits, '-' and '_' only")
                continue
            channel = self.channel(name, kind, table, prefix)
            if channel:
                result.append(channel)
        return tuple(result)

    def _secret_only_channel(self, kind: str) -> bool:
        """A Slack or webhook channel can be configured by its secret alone."""
        key = {"slack": "slack.webhook_url", "webhook": "webhook.url"}.get(kind)
        if key is None:
            return False
        env, credential = secret_sources(key)
        directory = self.environ.get("CREDENTIALS_DIRECTORY") or ""
        in_credentials = bool(directory) and any(
            (Path(directory) / n).is_file() for n in credential_names(credential)
        )
        return bool(self.environ.get(env)) or in_credentials

    def channel(self, name: str, kind: str, t: Mapping[str, Any], p: str) -> ChannelSettings | None:
        if kind == "slack":
            return self.slack(name, t, p)
        if kind == "email":
            return self.email(name, t, p)
        return self.webhook(name, t, p)

    def slack(self, name: str, t: Mapping[str, Any], p: str) -> SlackSettings | None:
        self.unknown_keys(p, t, {"kind", "webhook_url", "timeout"})
        url = self.secret(t, "webhook_url", p)
        if url is None:
            env, _ = secret_sources(f"{p}.webhook_url")
            self.problem(f"{p}.webhook_url", f"missing (set it here, in ${env}, or a credential)")
            return None
        self.url(f"{p}.webhook_url", url.reveal(), https_required=False)
        return SlackSettings(
            name=name,
            webhook_url=url,
            timeout=self.number(t, "timeout", 10.0, prefix=p, minimum=0.1),
        )

    def email(self, name: str, t: Mapping[str, Any], p: str) -> EmailSettings | None:
        self.unknown_keys(
            p,
            t,
            {"kind", "host", "port", "security", "sender", "recipients", "username", "password"}
            | {"ca_file", "timeout"},
        )
        host = self.string(t, "host", p)
        sender = self.string(t, "sender", p)
        recipients = self.strings(t, "recipients", p)
        security = self.string(t, "security", p, "starttls").lower()
        if not host:
            self.problem(f"{p}.host", "missing: the SMTP server to send through")
        if not _EMAIL_RE.fullmatch(sender):
            self.problem(f"{p}.sender", f"must be an email address, not {sender!r}")
        if not recipients:
            self.problem(f"{p}.recipients", "missing: at least one address to send to")
        for address in recipients:
            if not _EMAIL_RE.fullmatch(address):
                self.problem(f"{p}.recipients", f"{address!r} is not an email address")
        if security not in ("starttls", "ssl", "none"):
            self.problem(f"{p}.security", f"must be starttls, ssl or none, not {security!r}")
            security = "starttls"
        default_port = {"starttls": 587, "ssl": 465, "none": 25}[security]
        port = self.number(
            t, "port", default_port, prefix=p, minimum=1, maximum=65535, integer=True
        )
        username = self.string(t, "username", p) or None
        password = self.secret(t, "password", p)
        if password and not username:
            self.problem(f"{p}.username", "missing: a password is set but no username")
        if security == "none" and password and host and not is_loopback(host):
            self.problem(
                f"{p}.security", "'none' would send the password in clear text to a remote host"
            )
        ca_file = self.path_value(t, "ca_file", p)
        if ca_file is not None and not ca_file.is_file():
            self.problem(f"{p}.ca_file", f"{ca_file} does not exist")
        return EmailSettings(
            name=name,
            host=host,
            sender=sender,
            recipients=recipients,
            port=port,
            security=security,  # type: ignore[arg-type]
            username=username,
            password=password,
            ca_file=ca_file,
            timeout=self.number(t, "timeout", 20.0, prefix=p, minimum=0.1),
        )

    def webhook(self, name: str, t: Mapping[str, Any], p: str) -> WebhookSettings | None:
        self.unknown_keys(p, t, {"kind", "url", "secret", "timeout"})
        url = self.secret(t, "url", p)
        if url is None:
            env, _ = secret_sources(f"{p}.url")
            self.problem(f"{p}.url", f"missing (set it here, in ${env}, or a credential)")
            return None
        self.url(f"{p}.url", url.reveal(), https_required=False)
        return WebhookSettings(
            name=name,
            url=url,
            secret=self.secret(t, "secret", p),
            timeout=self.number(t, "timeout", 10.0, prefix=p, minimum=0.1),
        )


def parse_cik(value: object) -> int | None:
    """855654, "855654" and "0000855654" are the same CIK; anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 10**10 else None
    if isinstance(value, str) and re.fullmatch(r"\s*(?:CIK)?0*\d{1,10}\s*", value, re.I):
        number = int(re.sub(r"\D", "", value))
        return number if number > 0 else None
    return None


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


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
