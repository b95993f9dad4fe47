"""`load` and `from_mapping`: a whole configuration read, checked and built into
`Settings`, or a `ConfigError` listing every problem (the CLI exits 78).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from edgarwatch.config.http import HttpSettings
from edgarwatch.config.reader import Reader
from edgarwatch.config.rooms import (
    read_alarms,
    read_channels,
    read_digests,
    read_notify,
    read_storage,
)
from edgarwatch.config.tables import LOG_LEVELS, LogSettings, PollSettings, Settings, WatchSettings
from edgarwatch.edgar.settings import EdgarSettings
from edgarwatch.notifiers.base import REGISTRY

EX_CONFIG = 78
"""sysexits.h: configuration error."""


class ConfigError(Exception):
    """The configuration is invalid; `problems` lists every reason, one per key."""

    def __init__(self, problems: list[str], path: Path | None = None) -> None:
        self.problems = problems
        self.path = path
        where = f"{path}: " if path else ""
        super().__init__(f"{where}{len(problems)} problem(s):\n  " + "\n  ".join(problems))


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
    reader = Reader(environ if environ is not None else os.environ, path)
    settings = _settings(reader, document)
    if reader.problems:
        raise ConfigError(reader.problems, path)
    assert settings is not None
    return settings


def channel_kinds() -> dict[str, type[Any]]:
    """Every registered notifier's kind and settings class: the channel tables."""
    return {kind: notifier.settings_type for kind, notifier in sorted(REGISTRY.items())}


def _settings(reader: Reader, doc: Mapping[str, Any]) -> Settings | None:
    kinds = channel_kinds()
    known = {"edgar", "poll", "watch", "storage", "notify", "log", "http", "channels"}
    known |= {"digest", "alarms", *kinds}
    for key in doc:
        if key not in known:
            reader.problem(key, "unknown section (misspelt?)")
    edgar = reader.read(EdgarSettings, reader.table(doc, "edgar"), "edgar")
    poll = reader.read(PollSettings, reader.table(doc, "poll"), "poll")
    watch = reader.read(WatchSettings, reader.table(doc, "watch"), "watch")
    storage = read_storage(reader, reader.table(doc, "storage"))
    channels, names = read_channels(reader, doc, kinds)
    notify = read_notify(reader, reader.table(doc, "notify"), names)
    log = reader.read(LogSettings, reader.table(doc, "log"), "log")
    http = reader.read(HttpSettings, reader.table(doc, "http"), "http") or HttpSettings()
    level = log.level if log else "INFO"
    if level not in LOG_LEVELS:
        reader.problem("log.level", f"must be one of {', '.join(LOG_LEVELS)}, not {level!r}")
    digests = read_digests(reader, doc.get("digest", []), names)
    alarms = read_alarms(reader, doc, names)
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
