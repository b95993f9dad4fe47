"""Reading the tables whose settings types live in their rooms: `[notify]` and its
rules, `[storage]`, the channels (`[slack]`, `[channels.NAME] kind = "…"`),
`[[digest]]` and `[alarms]`, each checked against the channels that exist.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from edgarwatch.alarms import AlarmSettings
from edgarwatch.config.placeholders import refuse_placeholders
from edgarwatch.config.reader import Reader
from edgarwatch.config.tables import StorageSettings
from edgarwatch.digest import DigestSettings
from edgarwatch.notifiers.base import ChannelSettings
from edgarwatch.policy import NotifySettings, Rule


def read_digests(
    reader: Reader, tables: Any, channel_names: set[str]
) -> tuple[DigestSettings, ...]:
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


def read_alarms(
    reader: Reader, doc: Mapping[str, Any], channel_names: set[str]
) -> AlarmSettings | None:
    """`[alarms]`: absent, no alarm; its channel (if any) must be configured."""
    if "alarms" not in doc:
        return None
    alarms = reader.read(AlarmSettings, reader.table(doc, "alarms"), "alarms")
    if alarms is not None and alarms.channel and alarms.channel not in channel_names:
        known = ", ".join(sorted(channel_names)) or "none is configured"
        reader.problem("alarms.channel", f"no channel named {alarms.channel!r} (known: {known})")
    return alarms


def read_storage(reader: Reader, table: Mapping[str, Any]) -> StorageSettings:
    reader.unknown_keys("storage", table, {"path"})
    value = reader.string(table, "path", "storage", "edgarwatch.db")
    path = Path(value or "edgarwatch.db").expanduser()
    if not path.is_absolute():
        # Under systemd the database belongs in StateDirectory=.
        state = reader.environ.get("STATE_DIRECTORY", "").split(":")[0]
        path = (Path(state) if state else Path.cwd()) / path
    return StorageSettings(path=path)


def read_notify(
    reader: Reader, table: Mapping[str, Any], channel_names: set[str]
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


def read_channels(
    reader: Reader, doc: Mapping[str, Any], kinds: dict[str, type[Any]]
) -> tuple[tuple[ChannelSettings, ...], set[str]]:
    """`[kind]` tables in the file's order (then kinds configured by a required secret
    alone), then `[channels.NAME]`; and the names of all of them, valid or not."""
    result: list[ChannelSettings | None] = []
    tables = [kind for kind in doc if kind in kinds]
    tables += [k for k, t in kinds.items() if k not in tables and reader.secret_only(t, k)]
    for kind in tables:
        channel = reader.read(kinds[kind], reader.table(doc, kind), kind, name=kind)
        result.append(refuse_placeholders(reader, channel, kind))
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
        result.append(refuse_placeholders(reader, channel, prefix))
        tables.append(name)
    return tuple(channel for channel in result if channel is not None), set(tables)
